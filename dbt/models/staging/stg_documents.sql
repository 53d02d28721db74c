with source as (
    select * from {{ source('staging', 'documents') }}
),

renamed as (
    select
        doc_id,
        source_path,
        sha256,
        format,
        encoding,
        department_name,
        department_key,
        unit_code,
        region_province,
        region_city,
        region_county,
        fiscal_year,
        scope,
        disclosure_id,
        try_cast(published_date as date) as published_date,
        status,
        status_reason,
        notes,
        facts_fingerprint,
        n_tables,
        n_line_items,
        n_unparsed,
        status in ('ok', 'partial') as is_loaded
    from source
)

select * from renamed
