{#- Every fund source of fct_revenue has a Chinese name in dim_fund_source. -#}
{{ unlabelled_slugs(ref('fct_revenue'), 'fund_source', ref('dim_fund_source'), 'fund_source') }}
