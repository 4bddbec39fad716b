{#- Where a sale came from. A small fixed list: every channel the intermediate sales union produces. -#}
select channel_key, channel_id, channel_name, is_online
from (
    values
        (1, 'hotmart', 'Hotmart', true),
        (2, 'sales_file', 'Arquivo de vendas', false),
        (3, 'voice', 'Pedido por voz', false)
) as channels (channel_key, channel_id, channel_name, is_online)
