{#- Every classification and code system of fct_expenditure has a Chinese name in dim_classification. -#}
{{ unlabelled_slugs(ref('fct_expenditure'), 'unnest([classification, code_system, paired_code_system])', ref('dim_classification'), 'system') }}
