{#- Every measure of fct_expenditure has a Chinese name in dim_measure. -#}
{{ unlabelled_slugs(ref('fct_expenditure'), 'measure', ref('dim_measure'), 'measure') }}
