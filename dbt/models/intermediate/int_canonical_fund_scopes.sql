{#- One fund scope per disclosure and family of facts: the one the analyst marts
    (marts/analyst/) read and the facts flag with `is_canonical_scope`.

    Why one: the same spending is printed once per fund scope (合计 of all funds, 财政拨款,
    一般公共预算 …) and the scopes nest (seed fund_sources), so summing over fund sources counts
    the same yuan two or three times. Which one: the widest scope printed (all funds, then
    财政拨款, then its parts: depth in the fund-source tree). A narrower scope replaces it only
    when it accounts for the same money (its top-level codes add up to the widest scope's, within
    the DESIGN rounding tolerance) and prints a finer code level: a report whose all-funds table
    stops at 类 while its 一般公共预算支出表 goes down to 项, and whose money is all 一般公共预算,
    gives the 项 detail; one with money outside 一般公共预算 keeps the all-funds 类 rows, so the
    marts' totals stay the disclosure's. Families: the code systems of spending (function,
    econ_department, econ_government) and three_public. Only the budget year's amounts count
    (value_year NULL or the fiscal year). -#}
with recursive fund_depth as (
    select fund_source, 0 as depth
    from {{ ref('fund_sources') }}
    where parent_fund_source is null
    union all
    select child.fund_source, parent.depth + 1
    from {{ ref('fund_sources') }} as child
    inner join fund_depth as parent on child.parent_fund_source = parent.fund_source
),

lines as (
    select
        disclosure_id,
        case when fact = 'three_public' then 'three_public' else code_system end as family,
        fund_source,
        fact_measure,
        -- 三公 items have no levels: every scope prints the same depth
        case when fact = 'three_public' then 0 else length(code) end as code_length,
        code,
        amount_yuan,
        unit_multiplier
    from {{ ref('int_designated_line_items') }}
    where fact in ('expenditure_function', 'expenditure_economic', 'three_public')
      and (value_year is null or value_year = fiscal_year)
),

tops as (
    select disclosure_id, family, fund_source, min(code_length) as top_length
    from lines
    group by all
),

candidates as (
    select
        lines.disclosure_id,
        lines.family,
        lines.fund_source,
        max(lines.code_length) as finest_code_length,
        coalesce(any_value(fund_depth.depth), 99) as depth,
        count(distinct lines.code) as n_codes,
        -- the money the scope covers: its top-level codes' total, else the sum of their spending
        -- categories (basic + project + reserve: the same money, printed without a total column)
        sum(lines.amount_yuan) filter (where lines.code_length = tops.top_length and lines.fact_measure = 'total') as covered_total,
        sum(lines.amount_yuan) filter (where lines.code_length = tops.top_length
                                         and lines.fact_measure in ('basic', 'project', 'reserve')) as covered_categories,
        count(*) filter (where lines.code_length = tops.top_length) as n_top,
        max(lines.unit_multiplier) as multiplier
    from lines
    inner join tops using (disclosure_id, family, fund_source)
    left join fund_depth on fund_depth.fund_source = lines.fund_source
    group by lines.disclosure_id, lines.family, lines.fund_source
),

widest as (
    select *
    from candidates
    qualify row_number() over (
        partition by disclosure_id, family order by depth, finest_code_length desc, n_codes desc, fund_source
    ) = 1
),

eligible as (
    select c.*
    from candidates as c
    inner join widest as w using (disclosure_id, family)
    where c.fund_source = w.fund_source
       or abs(coalesce(c.covered_total, c.covered_categories) - coalesce(w.covered_total, w.covered_categories))
           <= {{ rounding_tolerance('c.n_top + w.n_top', 'greatest(c.multiplier, w.multiplier)') }}
)

select
    disclosure_id,
    family,
    fund_source,
    finest_code_length,
    depth as fund_depth
from eligible
qualify row_number() over (
    partition by disclosure_id, family
    order by finest_code_length desc, depth, n_codes desc, fund_source
) = 1
