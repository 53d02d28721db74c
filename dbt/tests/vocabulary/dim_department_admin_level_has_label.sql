{#- Every admin level of dim_department has a Chinese name in dim_label. -#}
{{ unlabelled_slugs(ref('dim_department'), 'admin_level', '(select slug from ' ~ ref('dim_label') ~ " where vocabulary = 'admin_level')", 'slug') }}
