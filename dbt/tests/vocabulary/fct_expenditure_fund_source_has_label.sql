{#- Every fund source of fct_expenditure has a Chinese name in dim_fund_source. -#}
{{ unlabelled_slugs(ref('fct_expenditure'), 'fund_source', ref('dim_fund_source'), 'fund_source') }}
