{#- 支出功能分类: the shipped catalog (seed `function_codes`, transcribed from 财政部《政府收支分类
    科目》, see dagster_project/catalogs/README.md), former names (医疗卫生与计划生育支出 → 210) as
    aliases, and codes or names that documents print but the catalog lacks. -#}
with catalog as (
    select * from {{ ref('function_codes') }}
),

names_seen as (
    select code, names_seen, printed_name from {{ ref('int_code_names') }} where code_system = 'function'
),

from_documents as (
    -- codes printed in reports that the catalog does not hold: kept, named as printed
    select
        code,
        printed_name as name,
        case length(code) when 3 then '类' when 5 then '款' when 7 then '项' end as level,
        case length(code) when 5 then left(code, 3) when 7 then left(code, 5) end as parent_code,
        null as aliases
    from names_seen
    where code not in (select code from catalog)
),

all_codes as (
    select code, name, level, parent_code, aliases, 'catalog' as origin from catalog
    union all
    select code, name, level, parent_code, aliases, 'documents' as origin from from_documents
),

final as (
    select
        all_codes.code,
        all_codes.name,
        all_codes.level,
        all_codes.parent_code,
        left(all_codes.code, 3) as class_code,
        {{ pipe_list('all_codes.aliases') }} as former_names,
        coalesce(names_seen.names_seen, []) as names_seen,
        all_codes.origin,
        {{ load_id() }} as load_id
    from all_codes
    left join names_seen using (code)
)

select * from final
