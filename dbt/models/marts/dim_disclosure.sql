{#- What one department published for one fiscal year and scope; several files (a narrative
    and a tables file) can make one disclosure. -#}
with documents as (
    select * from {{ ref('int_documents') }}
),

final as (
    select
        disclosure_id,
        any_value(department_key) as department_key,
        {{ most_frequent("department_name") }} as department_name,
        any_value(fiscal_year) as fiscal_year,
        any_value(scope) as scope,
        list(doc_id order by source_path) as doc_ids,
        list(source_path order by source_path) as source_paths,
        count(*) as n_documents,
        -- the date a document prints on its cover or under its publisher's name, in the fiscal
        -- year or the one before (parsing/document.py find_published_date); never a date of an
        -- attached text or an 截至 date
        max(published_date) as published_date,
        {{ load_id() }} as load_id
    from documents
    group by disclosure_id
)

select * from final
