{#- Every 三公 item of fct_three_public has a Chinese name in dim_three_public_item. -#}
{{ unlabelled_slugs(ref('fct_three_public'), 'item', ref('dim_three_public_item'), 'item') }}
