{#- Every economic-code system has a Chinese name in dim_classification. -#}
{{ unlabelled_slugs(ref('dim_economic_code'), 'system', ref('dim_classification'), 'system') }}
