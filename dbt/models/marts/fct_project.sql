{#- Projects (项目支出表 leaf rows), with the code and type where the report prints them. -#}
with projects as (
    select * from {{ ref('stg_projects') }}
),

documents as (
    select doc_id, disclosure_id, fiscal_year from {{ ref('int_documents') }}
),

final as (
    select
        {{ surrogate_key(['projects.doc_id', 'projects.table_id', 'projects.source_row']) }} as project_id,
        documents.disclosure_id,
        projects.doc_id,
        projects.table_id,
        projects.source_row,
        projects.source_line,
        projects.project_name,
        projects.project_code,
        projects.project_type,
        projects.budget_unit_code,
        projects.fund_source,
        coalesce(projects.value_year, documents.fiscal_year) as value_year,
        projects.amount_yuan,
        {{ load_id() }} as load_id
    from projects
    inner join documents using (doc_id)
)

select * from final
