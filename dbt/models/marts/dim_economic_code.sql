{#- 支出经济分类 in both systems: 部门预算 (301xx …) and 政府预算 (501xx …), with the usual
    部门 → 政府 mapping (for 机关; `government_code_institution` where 事业单位 differ). -#}
with catalog as (
    select * from {{ ref('economic_codes') }}
),

names_seen as (
    select code, code_system, names_seen, printed_name from {{ ref('int_code_names') }}
    where code_system in ('econ_department', 'econ_government')
),

from_documents as (
    select
        code,
        printed_name as name,
        code_system as system,
        case length(code) when 3 then '类' when 5 then '款' end as level,
        case length(code) when 5 then left(code, 3) end as parent_code,
        null as government_code,
        null as government_code_institution,
        null as aliases
    from names_seen
    where code not in (select code from catalog)
),

all_codes as (
    select *, 'catalog' as origin from catalog
    union all by name
    select *, 'documents' as origin from from_documents
),

final as (
    select
        all_codes.code,
        all_codes.name,
        all_codes.system,
        all_codes.level,
        all_codes.parent_code,
        all_codes.government_code,
        all_codes.government_code_institution,
        {{ pipe_list('all_codes.aliases') }} as former_names,
        coalesce(names_seen.names_seen, []) as names_seen,
        all_codes.origin,
        {{ load_id() }} as load_id
    from all_codes
    left join names_seen using (code)
)

select * from final
