{#- The project forms of 绩效目标表 (stg_performance_projects), one per disclosure and folded
    name, each with the 项目支出表 row it restates, if any (see fct_project for the rules):
    fct_project keeps the unmatched forms as projects of their own, fct_performance_indicator
    resolves an indicator's project through the match. -#}
with table_projects as (
    select p.*, d.disclosure_id, d.fiscal_year
    from {{ ref('stg_projects') }} as p
    inner join {{ ref('int_documents') }} as d using (doc_id)
),

forms as (
    -- one row per project form of a disclosure: a form continued over two grids, or printed
    -- twice, counts once (the printing with money, then the first)
    select * from (
        select
            p.*, d.disclosure_id, d.fiscal_year,
            row_number() over (
                partition by d.disclosure_id, p.project_name_key
                order by p.amount_yuan is null, p.doc_id, p.table_id, p.source_row
            ) as nth
        from {{ ref('stg_performance_projects') }} as p
        inner join {{ ref('int_documents') }} as d using (doc_id)
    )
    where nth = 1
),

by_name as (
    select f.disclosure_id, f.project_name_key as form_key, min(t.project_name_key) as table_key, 'name' as match_rule
    from forms as f
    inner join table_projects as t
        on t.disclosure_id = f.disclosure_id and t.project_name_key = f.project_name_key
    group by all
),

by_code as (
    select f.disclosure_id, f.project_name_key as form_key, min(t.project_name_key) as table_key, 'code' as match_rule
    from forms as f
    inner join table_projects as t
        on t.disclosure_id = f.disclosure_id and t.project_code = f.project_code
    where not exists (select 1 from by_name as n where n.disclosure_id = f.disclosure_id and n.form_key = f.project_name_key)
    group by all
),

named as (
    select * from by_name
    union all
    select * from by_code
),

unmatched_forms as (
    select f.*, count(*) over (partition by f.disclosure_id, f.amount_yuan) as n_same_amount
    from forms as f
    where f.amount_yuan is not null
      and not exists (select 1 from named as m where m.disclosure_id = f.disclosure_id and m.form_key = f.project_name_key)
),

unmatched_rows as (
    select t.*, count(*) over (partition by t.disclosure_id, t.amount_yuan) as n_same_amount
    from table_projects as t
    where not exists (select 1 from named as m where m.disclosure_id = t.disclosure_id and m.table_key = t.project_name_key)
),

by_amount as (
    select f.disclosure_id, f.project_name_key as form_key, t.project_name_key as table_key, 'amount' as match_rule
    from unmatched_forms as f
    inner join unmatched_rows as t
        on t.disclosure_id = f.disclosure_id and t.amount_yuan = f.amount_yuan
    where f.n_same_amount = 1 and t.n_same_amount = 1
),

matches as (
    select * from named
    union all
    select * from by_amount
)

select
    f.* exclude (nth),
    m.table_key as matched_table_key,
    m.match_rule
from forms as f
left join matches as m on m.disclosure_id = f.disclosure_id and m.form_key = f.project_name_key
