{#- An amount in yuan as a reader of a Chinese report writes it: thousands separators, the fen
    only when there are any (488,400 / 1,234.56 / -4,500), from the DECIMAL itself — never via a
    float, which would print 155795000.00000003 or round a large sum. NULL stays NULL. -#}
{% macro yuan_zh(expr) -%}
    (case when ({{ expr }}) is null then null else
        (case when ({{ expr }}) < 0 then '-' else '' end)
        || format('{:,}', trunc(abs({{ expr }}))::hugeint)
        || case when (abs({{ expr }}) - trunc(abs({{ expr }}))) = 0 then ''
                else '.' || lpad(((abs({{ expr }}) - trunc(abs({{ expr }}))) * 100)::hugeint::varchar, 2, '0') end
    end)
{%- endmacro %}
