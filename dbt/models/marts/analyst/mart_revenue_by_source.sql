{#- Revenue by fund source with the nesting resolved, safe to sum: one row per disclosure × fund
    source, budget year, department level (macro department_level). Fund sources nest (财政拨款 =
    一般公共预算 + 政府性基金 + 国有资本经营, seed fund_sources) and reports print the parent, its
    parts, or both; summing fct_revenue over fund sources counts 财政拨款 twice. Here a printed
    source with printed parts is replaced by those parts, and what the parts do not account for
    stays as one `is_remainder` row of the parent (财政拨款 printed as 100, 一般公共预算 as 80: the
    row 一般公共预算 80 and the remainder row 财政拨款 20). A naive sum of amount_yuan per disclosure
    is therefore the sum of the outermost printed sources: the revenue total, carry-over included. -#}
with years as (
    select disclosure_id, any_value(fiscal_year) as fiscal_year
    from {{ ref('int_documents') }}
    group by disclosure_id
),

facts as (
    select r.*
    from {{ ref('fct_revenue') }} as r
    inner join years using (disclosure_id)
    where r.function_code is null
      and (r.value_year is null or r.value_year = years.fiscal_year)
),

department as (
    {{ department_level('facts') }}
),

-- a fund printed twice for one unit (深圳's 单位资金 above its only part 其他收入) counts once:
-- its first printing, as fct_revenue does within a 收入总表; top units then add up
per_unit as (
    select
        disclosure_id,
        budget_unit_code,
        fund_source,
        arg_min(amount_yuan, source_row * 1000 + source_col) as amount_yuan,
        max(unit_multiplier) as unit_multiplier
    from department
    group by disclosure_id, budget_unit_code, fund_source
),

printed as (
    select disclosure_id, fund_source, sum(amount_yuan) as printed_yuan, max(unit_multiplier) as unit_multiplier
    from per_unit
    group by disclosure_id, fund_source
),

sources as (
    select * from {{ ref('fund_sources') }}
),

-- the nearest printed source above each printed source (its parent, else its grandparent)
placed as (
    select
        p.*,
        coalesce(parent.fund_source, grandparent.fund_source) as printed_parent
    from printed as p
    left join sources as s on s.fund_source = p.fund_source
    left join sources as s2 on s2.fund_source = s.parent_fund_source
    left join printed as parent
        on parent.disclosure_id = p.disclosure_id and parent.fund_source = s.parent_fund_source
    left join printed as grandparent
        on grandparent.disclosure_id = p.disclosure_id and grandparent.fund_source = s2.parent_fund_source
),

parts as (
    select disclosure_id, printed_parent as fund_source, sum(printed_yuan) as parts_yuan
    from placed
    where printed_parent is not null
    group by all
),

resolved as (
    select
        placed.disclosure_id,
        placed.fund_source,
        placed.printed_yuan,
        case when parts.fund_source is null then placed.printed_yuan
             else placed.printed_yuan - parts.parts_yuan end as amount_yuan,
        parts.fund_source is not null as is_remainder,
        placed.unit_multiplier
    from placed
    left join parts using (disclosure_id, fund_source)
    -- a parent its printed parts account for in full leaves no row
    where parts.fund_source is null or placed.printed_yuan <> parts.parts_yuan
),

disclosures as (
    select disclosure_id, department_name, fiscal_year from {{ ref('dim_disclosure') }}
),

final as (
    select
        resolved.disclosure_id,
        disclosures.department_name,
        disclosures.fiscal_year,
        resolved.fund_source,
        sources.name_zh as fund_source_name,
        sources.parent_fund_source,
        resolved.is_remainder,
        {{ computed_yuan('resolved.amount_yuan') }} as amount_yuan,
        {{ computed_yuan('resolved.printed_yuan') }} as printed_yuan,
        resolved.unit_multiplier,
        {{ load_id() }} as load_id
    from resolved
    inner join disclosures using (disclosure_id)
    left join sources using (fund_source)
)

select * from final
