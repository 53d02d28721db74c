{#- Performance targets (绩效目标表): one row per indicator, its three levels, the comparison
    operator, target value and unit split out of the printed text (kept in raw_text), and the
    indicator's weight where the form prints one (指标权重).

    project_key ties an indicator to its project in fct_project: the project of the same
    disclosure whose code the form prints (项目编码), else whose folded name (width, brackets,
    spaces: project_name_key) is the form's subject, else the 项目支出表 row fct_project matched
    the form to. Department-wide targets (subject `overall`: 部门整体 / 专项资金总体 forms)
    measure no project and have none. -#}
with indicators as (
    select * from {{ ref('stg_performance_indicators') }}
),

documents as (
    select doc_id, disclosure_id from {{ ref('int_documents') }}
),

projects as (
    select project_key, disclosure_id, project_name_key, project_code from {{ ref('fct_project') }}
),

keyed as (
    select
        indicators.*,
        documents.disclosure_id,
        coalesce(
            (select min(p.project_key) from projects as p
             where p.disclosure_id = documents.disclosure_id and p.project_code = indicators.project_code),
            (select min(p.project_key) from projects as p
             where p.disclosure_id = documents.disclosure_id and p.project_name_key = indicators.subject_key),
            (select min({{ surrogate_key(['a.disclosure_id', 'a.matched_table_key']) }})
             from {{ ref('int_project_form_matches') }} as a
             where a.disclosure_id = documents.disclosure_id and a.project_name_key = indicators.subject_key
               and a.matched_table_key is not null)
        ) as project_key
    from indicators
    inner join documents using (doc_id)
),

final as (
    select
        {{ surrogate_key(['doc_id', 'table_id', 'source_row']) }} as indicator_id,
        disclosure_id,
        project_key,
        doc_id,
        table_id,
        source_row,
        source_line,
        subject,
        level1,
        level2,
        level3,
        operator,
        target_value,
        target_unit,
        raw_text,
        weight,
        {{ load_id() }} as load_id
    from keyed
)

select * from final
