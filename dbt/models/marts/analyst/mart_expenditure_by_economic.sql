{#- Spending by 支出经济分类 code, safe to sum: one row per disclosure × code system × economic
    code, at every level (类, 款), in one fund scope per disclosure and code system, for the
    department as a whole and the budget year only (int_safe_expenditure). The 部门 (301xx) and
    政府 (501xx) systems classify the same yuan twice: sum within one code_system and one
    code_level (类 rows add up to the whole), never across them. -#}
{{ safe_expenditure_mart('economic', 'dim_economic_code', with_code_system=true) }}
