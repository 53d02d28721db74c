{#- Spending by function or economic classification code, one row per printed amount of the
    designated source table: disclosure x classification x code x measure x fund source x year
    (x budget unit where a report breaks its figures down by sub-unit). Sum within one
    code_level: 类, 款 and 项 rows restate each other; and within one fund source: they nest.
    `is_leaf` and `is_canonical_scope` make the safe sum a filter (one measure, the budget
    year, is_leaf and is_canonical_scope); marts/analyst/ has it done, department level too. -#}
with lines as (
    select * from {{ ref('int_designated_line_items') }}
    where fact in ('expenditure_function', 'expenditure_economic')
),

-- codes with a printed child code in the same table, column, code system and unit: their
-- amount restates the children's, so a sum over leaves counts each yuan once. Each row names its
-- ancestors' codes (类 and 款 prefixes of a 项), so the match is an equality join.
ancestors as (
    select table_id, source_col, code_system, budget_unit_code, left(code, prefix_length) as ancestor_code
    from lines, unnest([3, 5]) as p(prefix_length)  -- noqa: LT01
    where length(code) > prefix_length
),

parents as (
    select distinct parent.table_id, parent.source_row, parent.source_col, true as has_child
    from lines as parent
    inner join ancestors as child
        on child.table_id = parent.table_id
        and child.source_col = parent.source_col
        and child.code_system = parent.code_system
        and child.budget_unit_code is not distinct from parent.budget_unit_code
        and child.ancestor_code = parent.code
),

scopes as (
    select disclosure_id, family as code_system, fund_source from {{ ref('int_canonical_fund_scopes') }}
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row', 'source_col']) }} as expenditure_id,
        disclosure_id,
        doc_id,
        table_id,
        table_kind as source_table_kind,
        source_row,
        source_col,
        source_line,
        case fact when 'expenditure_function' then 'function' else 'economic' end as classification,
        code,
        code_system,
        code_level,
        paired_code,
        paired_code_system,
        row_label,
        budget_unit_code,
        fact_measure as measure,
        fund_source,
        value_year,
        amount_yuan,
        raw_text,
        unit_multiplier,
        parents.has_child is null as is_leaf,
        scopes.fund_source is not null as is_canonical_scope,
        {{ load_id() }} as load_id
    from lines
    left join parents using (table_id, source_row, source_col)
    left join scopes using (disclosure_id, code_system, fund_source)
)

select * from final
