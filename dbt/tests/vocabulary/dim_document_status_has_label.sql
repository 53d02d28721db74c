{#- Every document status has a Chinese name in dim_status. -#}
{{ unlabelled_slugs(ref('dim_document'), 'status', ref('dim_status'), 'status') }}
