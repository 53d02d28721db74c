{#- What the narrative says against what the tables print: total budget, basic and project
    totals, the project count and money, 三公 total and items, 机关运行经费, and per-code amounts
    ("2101501-行政运行 902.46 万元"). A statement naming a fund (一般公共预算, 财政拨款) is compared
    with that fund's figure where the tables print one; statements about other things (changes,
    other years) never reach staging. -#}
with narrative as (
    select
        d.disclosure_id,
        d.fiscal_year,
        n.*,
        -- the unit's multiplier from the seed the extraction reads too (an unknown unit counts as 元)
        coalesce(u.multiplier, 1) as multiplier
    from {{ ref('stg_narrative_amounts') }} as n
    inner join {{ ref('int_documents') }} as d using (doc_id)
    left join {{ ref('units') }} as u on u.unit = n.unit
    -- the change on the previous year restates no figure of this year's tables
    -- (mart_department_year checks it against the previous disclosure)
    where n.topic <> 'total_expenditure_change'
    -- one statement, once: a sentence that states the same figure for the same topic twice
    -- ("预算资金 X 万元，其中……涉及预算资金 X 万元") is one thing the publisher said, and a slip in
    -- it is one finding, not two
    qualify row_number() over (
        partition by n.doc_id, n.text_index, n.topic, n.code, n.fund_source, n.of_part, n.amount_yuan, n.count
        order by n.text_offset) = 1
),

line_items as (
    select * from {{ ref('int_line_items') }}
),

-- a printed total of a spending category (or of everything), per fund, first by priority
category_totals as (
    select
        li.disclosure_id, li.fact_measure as measure, li.fund_source,
        arg_min(li.amount_yuan, [ds.priority::bigint, li.table_order, li.source_row]) as amount,
        arg_min(li.table_title, [ds.priority::bigint, li.table_order, li.source_row]) as table_title,
        max(li.unit_multiplier) as multiplier
    from line_items as li
    inner join {{ ref('designated_sources') }} as ds on ds.fact = 'category_total' and ds.table_kind = li.table_kind
    where li.fact = 'category_total' and (li.value_year is null or li.value_year = li.fiscal_year)
    group by all
),

coded as (
    select
        disclosure_id, code, fund_source,
        arg_min(amount_yuan, [table_order::bigint, source_row]) as amount,
        arg_min(table_title, [table_order::bigint, source_row]) as table_title,
        max(unit_multiplier) as multiplier
    from {{ ref('int_designated_line_items') }}
    where fact in ('expenditure_function', 'expenditure_economic') and fact_measure = 'total'
      and budget_unit_code is null and (value_year is null or value_year = fiscal_year)
    group by all
),

three_public as (
    select
        disclosure_id, code as item, fund_source,
        arg_min(amount_yuan, printing_order) as amount,
        any_value(table_title) as table_title,
        max(unit_multiplier) as multiplier
    from {{ ref('int_designated_line_items') }}
    where fact = 'three_public' and value_year = fiscal_year
    group by all
),

operating as (
    select disclosure_id, any_value(table_title) as table_title, max(unit_multiplier) as multiplier,
           coalesce(max(amount_yuan) filter (where is_total), max(amount_yuan)) as amount
    from line_items
    where table_kind = 'operating_expense'
    group by disclosure_id
),

projects as (
    select d.disclosure_id, count(*) as n_projects
    from {{ ref('stg_projects') }} as p
    inner join {{ ref('int_documents') }} as d using (doc_id)
    group by d.disclosure_id
),

figures as (
    select * from {{ ref('int_disclosure_figures') }}
),

-- one comparison per narrative statement: the table figure for the same fund if printed,
-- else the all-funds figure when the statement names no fund
compared as (
    select
        n.*,
        case
            when n.topic in ('basic', 'project', 'reserve', 'personnel', 'public_admin') then
                coalesce(same_fund.amount, case when n.fund_source is null then all_funds.amount end)
            when n.topic = 'total_expenditure' then figures.total_expenditure_yuan
            when n.topic = 'total_revenue' then figures.total_revenue_yuan
            when n.topic = 'project_amount' and n.fund_source is null then figures.project_expenditure_yuan
            when n.topic = 'project_count' then projects.n_projects
            when n.topic in ('function_code', 'economic_code') then coalesce(code_same_fund.amount, code_all.amount, code_any.amount)
            when n.topic = 'three_public' then coalesce(tp_same_fund.amount, tp_any.amount)
            when n.topic = 'operating_expense' then operating.amount
        end as table_amount,
        case
            when n.topic in ('basic', 'project', 'reserve', 'personnel', 'public_admin') then coalesce(same_fund.table_title, all_funds.table_title)
            when n.topic in ('total_expenditure', 'total_revenue', 'project_amount') then '收支/支出总表'
            when n.topic = 'project_count' then '项目支出表'
            when n.topic in ('function_code', 'economic_code') then coalesce(code_same_fund.table_title, code_all.table_title, code_any.table_title)
            when n.topic = 'three_public' then coalesce(tp_same_fund.table_title, tp_any.table_title)
            when n.topic = 'operating_expense' then operating.table_title
        end as table_title,
        -- the tolerance is set by the coarser printing: the table's unit, or the narrative's own
        -- precision ('10,806万元' rounds to a whole 万元, 100 times the 0.01 the macro assumes)
        greatest(n.multiplier * case coalesce(n.printed_decimals, 2) when 0 then 100 when 1 then 10 else 1 end,
                 coalesce(same_fund.multiplier, all_funds.multiplier, code_all.multiplier,
                          code_same_fund.multiplier, tp_same_fund.multiplier, operating.multiplier, 1)) as tolerance_multiplier
    from narrative as n
    left join figures using (disclosure_id)
    left join projects using (disclosure_id)
    left join operating using (disclosure_id)
    left join category_totals as same_fund
        on same_fund.disclosure_id = n.disclosure_id and same_fund.measure = n.topic and same_fund.fund_source = n.fund_source
    left join category_totals as all_funds
        on all_funds.disclosure_id = n.disclosure_id and all_funds.measure = n.topic and all_funds.fund_source = 'all'
    left join coded as code_same_fund
        on code_same_fund.disclosure_id = n.disclosure_id and code_same_fund.code = n.code and code_same_fund.fund_source = n.fund_source
    left join coded as code_all
        on code_all.disclosure_id = n.disclosure_id and code_all.code = n.code and code_all.fund_source = 'all'
    left join (select disclosure_id, code, arg_min(amount, fund_source) as amount, any_value(table_title) as table_title,
                      max(multiplier) as multiplier from coded group by all) as code_any
        on code_any.disclosure_id = n.disclosure_id and code_any.code = n.code
    left join three_public as tp_same_fund
        on tp_same_fund.disclosure_id = n.disclosure_id and tp_same_fund.item = n.code and tp_same_fund.fund_source = n.fund_source
    left join (select disclosure_id, item, arg_min(amount, fund_source) as amount, any_value(table_title) as table_title
               from three_public group by all) as tp_any
        on tp_any.disclosure_id = n.disclosure_id and tp_any.item = n.code
),

-- "共0个项目实行绩效目标管理，涉及财政性资金合计0万元" counts the projects under performance-target
-- management, not the budget's projects: a document stating zero such projects says nothing the
-- 项目支出表 could confirm or contradict
no_target_projects as (
    select distinct doc_id from narrative where topic = 'project_count' and count = 0
)

select
    disclosure_id,
    'narrative' as check_scope,
    'narrative ' || topic || coalesce(' ' || code, '') || case when of_part then ' <= tables' else ' = tables' end as check_name,
    -- projects with performance targets (or chosen for evaluation) are some of the projects
    case when of_part then 'at_most' else 'equal' end as comparison,
    'narrative_' || topic as check_kind,
    topic,
    code,
    fund_source,
    text_index,
    raw_text,
    table_title,
    ['narrative', table_title] as tables_involved,
    [doc_id || '#text' || text_index] as table_ids,
    'narrative line ' || text_index || ': ' || raw_text as location,
    case when topic = 'project_count' then {{ computed_yuan('count') }} else {{ computed_yuan('amount_yuan') }} end as expected,
    {{ computed_yuan('table_amount') }} as actual,
    case when topic = 'project_count' then 0 else 1 end as n_terms,
    case when topic = 'project_count' then 0 else tolerance_multiplier end as multiplier
from compared
where table_amount is not null
  and not (topic in ('project_count', 'project_amount') and doc_id in (select doc_id from no_target_projects))
