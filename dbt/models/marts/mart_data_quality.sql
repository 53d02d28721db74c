{#- Every identity checked, per disclosure: what was expected, what the parts add up to, the
    difference, the rounding tolerance of DESIGN.md, and a verdict.

    pass: within tolerance. warn: outside tolerance but within 1% of the expected value (a
    slip in the publisher's figures, e.g. 15,579.50 printed for 15,579.95). fail: the figures
    contradict each other. Both warn and fail are findings about the publisher's numbers; the
    pipeline's own invariants are dbt tests of severity error and never reach this mart.
    metadata findings (a department that could not be read) are always warn. A check whose
    comparison is at_most (the narrative's count or money of some projects against all of them)
    passes when the printed figure does not exceed its counterpart. -#}
with checks as (
    select * from {{ ref('int_quality_within_table') }}
    union all by name
    select * from {{ ref('int_quality_cross_table') }}
    union all by name
    select * from {{ ref('int_quality_narrative') }}
    union all by name
    select * from {{ ref('int_quality_metadata') }}
),

typed as (
    -- a printed total against the sum of its parts, or a narrative statement against a table:
    -- computed amounts, DECIMAL(38,2) (macros/money.sql), whatever type each check produced
    select * replace ({{ computed_yuan('expected') }} as expected, {{ computed_yuan('actual') }} as actual)
    from checks
),

measured as (
    select
        *,
        {{ computed_yuan('actual - expected') }} as difference,
        {{ rounding_tolerance('n_terms', 'multiplier') }} as tolerance
    from typed
),

judged as (
    select
        *,
        case
            when check_scope = 'metadata' then 'warn'
            when comparison = 'at_most' and expected <= actual + tolerance then 'pass'
            when abs(difference) <= tolerance then 'pass'
            when abs(difference) <= greatest(tolerance, abs(expected) * 0.01) then 'warn'
            else 'fail'
        end as verdict
    from measured
),

final as (
    select
        {{ surrogate_key(['disclosure_id', 'check_scope', 'check_name', 'table_ids', 'location']) }} as check_id,
        disclosure_id,
        check_scope,
        check_name,
        tables_involved,
        table_ids,
        location,
        expected as expected_yuan,
        actual as actual_yuan,
        difference as difference_yuan,
        tolerance as tolerance_yuan,
        n_terms,
        coalesce(comparison, 'equal') as comparison,
        verdict,
        case
            when check_scope = 'metadata' then 'no department name found in ' || array_to_string(tables_involved, ', ')
                || ': published as a disclosure of its own with department_name NULL'
            when verdict = 'pass' then check_name || ' holds at ' || location
                || ' (difference ' || difference || ' yuan, tolerance ' || tolerance || ')'
            else check_name || ' does not hold at ' || location || ' in ' || array_to_string(tables_involved, ' / ')
                || ': the report prints ' || expected || ' yuan but its parts add up to ' || actual
                || ' yuan, off by ' || difference || ' yuan, more than the rounding tolerance of '
                || tolerance || ' yuan for ' || n_terms || ' printed term(s)'
        end as explanation,
        {{ load_id() }} as load_id
    from judged
)

select * from final
