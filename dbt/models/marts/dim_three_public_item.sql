{#- The 三公 items and how they nest (合计 = 因公出国 + 公务用车 + 公务接待; 公务用车 = 购置 + 运行):
    sum siblings only. -#}
select item, name_zh, parent_item, {{ load_id() }} as load_id
from {{ ref('three_public_items') }}
