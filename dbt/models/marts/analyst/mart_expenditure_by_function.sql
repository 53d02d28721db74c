{#- Spending by 支出功能分类 code, safe to sum: one row per disclosure × function code, at every
    level (类, 款, 项), in one fund scope per disclosure, for the department as a whole and the
    budget year only (int_safe_expenditure). Sum within one code_level: 类 rows add up to the
    disclosure's total (every amount has its 类, printed or rolled up); never across levels. -#}
{{ safe_expenditure_mart('function', 'dim_function_code') }}
