{#- Every fund source of fct_three_public has a Chinese name in dim_fund_source. -#}
{{ unlabelled_slugs(ref('fct_three_public'), 'fund_source', ref('dim_fund_source'), 'fund_source') }}
