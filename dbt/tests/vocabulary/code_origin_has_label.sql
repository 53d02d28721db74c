{#- Every origin of a function or economic code has a Chinese name in dim_label. -#}
{{ unlabelled_slugs('(select origin from ' ~ ref('dim_function_code') ~ ' union all select origin from ' ~ ref('dim_economic_code') ~ ')', 'origin', '(select slug from ' ~ ref('dim_label') ~ " where vocabulary = 'origin')", 'slug') }}
