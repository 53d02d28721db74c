{#- One row per department × fiscal year: the headline figures of mart_budget_overview and their
    change on the department's previous loaded year, absolute and in %.

    A department is dim_department's key, stable across its renamings (中国共产党江苏省委员会办公厅
    in 2017, 中共江苏省委办公厅 later). Where a department published several disclosures for one
    year (a 部门 report and its 本级 unit's), the widest scope stands for the year
    (部门 > 汇总 > 单位 > 本级), and n_disclosures says how many there were.

    The narrative's own statement of the change ("与上年相比增加 X 万元") is taken from
    stg_narrative_amounts topic `total_expenditure_change` where the extraction states it, and
    compared with the change computed here. -#}
with overview as (
    select * from {{ ref('mart_budget_overview') }}
    where department_key is not null
),

ranked as (
    select
        *,
        count(*) over (partition by department_key, fiscal_year) as n_disclosures,
        row_number() over (
            partition by department_key, fiscal_year
            order by case scope when '部门' then 1 when '汇总' then 2 when '单位' then 3 else 4 end, disclosure_id
        ) as nth
    from overview
),

years as (
    select * from ranked where nth = 1
),

printed_change as (
    -- the first statement of the disclosure: a second narrative document restating it adds nothing
    select d.disclosure_id,
           arg_min(n.amount_yuan, row(n.doc_id, n.text_index, n.text_offset)) as printed_change_yuan,
           max(n.unit) as unit, max(n.printed_decimals) as printed_decimals
    from {{ ref('stg_narrative_amounts') }} as n
    inner join {{ ref('int_documents') }} as d using (doc_id)
    where n.topic = 'total_expenditure_change'
    group by all
),

with_previous as (
    select
        years.*,
        lag(fiscal_year) over w as previous_fiscal_year,
        lag(total_expenditure_yuan) over w as previous_total_expenditure_yuan,
        lag(basic_expenditure_yuan) over w as previous_basic_expenditure_yuan,
        lag(project_expenditure_yuan) over w as previous_project_expenditure_yuan,
        lag(three_public_yuan) over w as previous_three_public_yuan,
        lag(total_revenue_yuan) over w as previous_total_revenue_yuan
    from years
    window w as (partition by department_key order by fiscal_year)
),

final as (
    select
        {{ surrogate_key(['p.department_key', 'p.fiscal_year']) }} as department_year_id,
        p.department_key,
        dep.department_name as department_name,
        p.department_name as printed_name,
        p.fiscal_year,
        p.disclosure_id,
        p.scope,
        p.n_disclosures,
        p.total_revenue_yuan,
        p.total_expenditure_yuan,
        p.basic_expenditure_yuan,
        p.project_expenditure_yuan,
        p.reserve_yuan,
        p.three_public_yuan,
        p.fiscal_appropriation_yuan,
        p.previous_fiscal_year,
        p.previous_total_expenditure_yuan,
        cast(p.total_expenditure_yuan - p.previous_total_expenditure_yuan as decimal(38, 2)) as total_expenditure_change_yuan,
        cast(round(100 * (p.total_expenditure_yuan - p.previous_total_expenditure_yuan)
              / nullif(p.previous_total_expenditure_yuan, 0), 2) as decimal(38, 2)) as total_expenditure_change_pct,
        cast(p.basic_expenditure_yuan - p.previous_basic_expenditure_yuan as decimal(38, 2)) as basic_expenditure_change_yuan,
        cast(round(100 * (p.basic_expenditure_yuan - p.previous_basic_expenditure_yuan)
              / nullif(p.previous_basic_expenditure_yuan, 0), 2) as decimal(38, 2)) as basic_expenditure_change_pct,
        cast(p.project_expenditure_yuan - p.previous_project_expenditure_yuan as decimal(38, 2)) as project_expenditure_change_yuan,
        cast(round(100 * (p.project_expenditure_yuan - p.previous_project_expenditure_yuan)
              / nullif(p.previous_project_expenditure_yuan, 0), 2) as decimal(38, 2)) as project_expenditure_change_pct,
        cast(p.three_public_yuan - p.previous_three_public_yuan as decimal(38, 2)) as three_public_change_yuan,
        cast(p.total_revenue_yuan - p.previous_total_revenue_yuan as decimal(38, 2)) as total_revenue_change_yuan,
        c.printed_change_yuan,
        -- agrees within half a unit of the last printed digit (4.27 万元 stands for 42,650–42,750)
        case
            when c.printed_change_yuan is null or p.previous_total_expenditure_yuan is null then null
            else abs(c.printed_change_yuan - (p.total_expenditure_yuan - p.previous_total_expenditure_yuan))
                 <= 0.5 * power(10, -coalesce(c.printed_decimals, 2))
                    * coalesce(u.multiplier, 1)
        end as printed_change_agrees,
        {{ load_id() }} as load_id
    from with_previous as p
    left join {{ ref('dim_department') }} as dep using (department_key)
    left join printed_change as c using (disclosure_id)
    -- the unit's multiplier from the seed the extraction reads too (an unknown unit counts as 元)
    left join {{ ref('units') }} as u on u.unit = c.unit
)

select * from final
