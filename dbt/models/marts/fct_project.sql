{#- Projects: the 项目支出表's leaf rows, plus the projects a report states only in a 绩效目标表
    form (项目名称, 项目编码, 预算数: 003 prints 23 such forms and no project rows).

    A form's project is the same as a 项目支出表 row of its disclosure when (in this order) their
    names agree once width, brackets and spaces are folded (project_name_key), or the codes
    agree, or — names differing — the form's amount equals the amount of exactly one row no
    other rule matched and no other unmatched form has that amount (丹凤 prints
    医保征缴及打击欺诈骗保 in its table and 打击欺诈骗保专项整治资金 over its form, both 16 万元).
    Only unmatched forms become rows of their own, so the projects of a disclosure add up to
    its project spending once. project_key names a project across its printings: the
    disclosure and the folded name of its table row (a 项目支出表 printing the same project
    for two sub-units gives both rows one key). -#}
with table_projects as (
    select p.*, d.disclosure_id, d.fiscal_year
    from {{ ref('stg_projects') }} as p
    inner join {{ ref('int_documents') }} as d using (doc_id)
),

forms as (
    select * from {{ ref('int_project_form_matches') }}
),

-- the code a matched form prints, for a table row that prints none (004's forms carry the
-- 项目编码 its 项目支出表 leaves out)
form_codes as (
    select disclosure_id, matched_table_key as table_key, min(project_code) as project_code
    from forms
    where matched_table_key is not null and project_code is not null
    group by all
),

from_tables as (
    select
        {{ surrogate_key(['t.doc_id', 't.table_id', 't.source_row']) }} as project_id,
        {{ surrogate_key(['t.disclosure_id', 't.project_name_key']) }} as project_key,
        t.disclosure_id,
        t.doc_id,
        t.table_id,
        t.source_row,
        t.source_line,
        t.project_name,
        t.project_name_key,
        coalesce(t.project_code, c.project_code) as project_code,
        t.project_type,
        t.budget_unit_code,
        t.fund_source,
        coalesce(t.value_year, t.fiscal_year) as value_year,
        t.amount_yuan,
        'project_expenditure' as origin
    from table_projects as t
    left join form_codes as c on c.disclosure_id = t.disclosure_id and c.table_key = t.project_name_key
),

from_forms as (
    select
        {{ surrogate_key(['f.doc_id', 'f.table_id', 'f.source_row']) }} as project_id,
        {{ surrogate_key(['f.disclosure_id', 'f.project_name_key']) }} as project_key,
        f.disclosure_id,
        f.doc_id,
        f.table_id,
        f.source_row,
        f.source_line,
        f.project_name,
        f.project_name_key,
        f.project_code,
        cast(null as varchar) as project_type,
        cast(null as varchar) as budget_unit_code,
        f.fund_source,
        coalesce(f.value_year, f.fiscal_year) as value_year,
        f.amount_yuan,
        'performance_target' as origin
    from forms as f
    where f.matched_table_key is null
),

final as (
    select *, {{ load_id() }} as load_id from from_tables
    union all
    select *, {{ load_id() }} as load_id from from_forms
)

select * from final
