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

-- the Chinese words of a finding: the table kinds' titles, the check's two sides, the fund,
-- measure and 三公 item named (seeds, the vocabulary dims publish them)
worded as (
    select
        judged.*,
        coalesce(left_kind.name_zh, tables_involved[1]) as left_table_zh,
        coalesce(right_kind.name_zh, tables_involved[2]) as right_table_zh,
        -- two tables of one kind (a 一般公共预算支出表 by function and one by economic class) are
        -- told apart by the titles they print
        case when judged.table_kinds[1] = judged.table_kinds[2] then tables_involved[1]
             else coalesce(left_kind.name_zh, tables_involved[1]) end as left_side_zh,
        case when judged.table_kinds[1] = judged.table_kinds[2] then tables_involved[2]
             else coalesce(right_kind.name_zh, tables_involved[2]) end as right_side_zh,
        checks_zh.expected_zh,
        checks_zh.actual_zh,
        funds.name_zh as fund_zh,
        measures.name_zh as measure_zh,
        systems.name_zh as system_zh,
        case when judged.check_scope = 'narrative' and judged.topic = 'project_count' then ' 个' else ' 元' end as unit_zh
    from judged
    left join {{ ref('table_kinds') }} as left_kind on left_kind.table_kind = judged.table_kinds[1]
    left join {{ ref('table_kinds') }} as right_kind on right_kind.table_kind = judged.table_kinds[2]
    left join {{ ref('quality_checks') }} as checks_zh on checks_zh.check_kind = judged.check_kind
    left join {{ ref('fund_sources') }} as funds on funds.fund_source = judged.fund_source
    left join {{ ref('measures') }} as measures on measures.measure = judged.measure
    left join {{ ref('classifications') }} as systems on systems.system = judged.code_system
),

-- where the finding is, in the report's terms: "支出总表 208 类（单位 362001）"
placed as (
    select
        *,
        case check_kind
            when 'parent_children' then left_table_zh || ' ' || code || coalesce(' ' || code_level, '')
                || coalesce('（' || column_label || '列' || coalesce('，单位 ' || budget_unit_code, '') || '）',
                            '（单位 ' || budget_unit_code || '）', '')
            when 'column_total' then left_table_zh || ' ' || coalesce(column_label || '列', '第 ' || source_col || ' 列')
                || coalesce('（' || system_zh || '）', '')
            when 'row_total' then left_table_zh || ' ' || coalesce(code || ' ', '') || coalesce(row_label, '') || ' 行'
                || case when fund_source <> 'all' then coalesce('（' || fund_zh || '）', '') else '' end
            when 'basic_parts' then left_table_zh || ' ' || coalesce(code || ' ', '') || coalesce(row_label, '') || ' 行'
                || case when fund_source <> 'all' then coalesce('（' || fund_zh || '）', '') else '' end
            when 'three_public_total' then left_table_zh || coalesce(' ' || value_year || ' 年', '')
                || case when fund_source <> 'all' then coalesce('（' || fund_zh || '）', '') else '' end
            when 'three_public_vehicles' then left_table_zh || coalesce(' ' || value_year || ' 年', '')
                || case when fund_source <> 'all' then coalesce('（' || fund_zh || '）', '') else '' end
            when 'revenue_expenditure' then left_table_zh
            when 'cross_table_total' then
                case when measure = 'total' then coalesce(case side when 'revenue' then '收入' when 'expenditure' then '支出' end, '')
                     else coalesce(measure_zh, measure) end
                || '合计' || case when fund_source = 'all' then coalesce('（' || value_year || ' 年）', '')
                                  else '（' || coalesce(fund_zh, fund_source) || coalesce('，' || value_year || ' 年', '') || '）' end
            when 'project_total' then left_table_zh || ' ' || n_terms || ' 个项目'
            else '说明第 ' || text_index || ' 行“' || raw_text || '”'
        end as place_zh,
        -- a cross-table finding names each table on its side; a narrative one the table it restates
        case check_kind when 'cross_table_total' then left_side_zh || '列示' else expected_zh end as expected_side_zh,
        case check_kind
            when 'cross_table_total' then right_side_zh || '列示'
            else case when check_scope = 'narrative' then coalesce(table_title, '表格') || '列示' else actual_zh end
        end as actual_side_zh
    from worded
),

final as (
    select
        {{ surrogate_key(['disclosure_id', 'check_scope', 'check_name', 'table_ids', 'location']) }} as check_id,
        disclosure_id,
        check_scope,
        check_name,
        check_kind,
        tables_involved,
        table_ids,
        table_kinds,
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
        -- the finding as a reader of the report says it, with the numbers: NULL when the check passes
        case
            when verdict = 'pass' then null
            when check_scope = 'metadata' then '未能识别发布部门：' || array_to_string(tables_involved, '、')
                || ' 作为部门名称为空的单独公开入库'
            else coalesce(place_zh, left_table_zh, check_name) || '：'
                || coalesce(expected_side_zh, '列示') || ' ' || coalesce({{ yuan_zh('expected') }}, '（未列示）') || unit_zh
                || '，' || coalesce(actual_side_zh, '计算') || ' ' || coalesce({{ yuan_zh('actual') }}, '（未列示）') || unit_zh
                || '，差 ' || coalesce({{ yuan_zh('difference') }}, '（无法计算）') || unit_zh
                || case when comparison = 'at_most' then '（说明数不应超过表格数）' else '' end
        end as finding_zh,
        {{ load_id() }} as load_id
    from placed
)

select * from final
