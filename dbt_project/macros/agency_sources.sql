{#- Generated from the source registry (pipelines/load/sources.py) by
    `uv run python -m pipelines.load.sources --write-dbt`; do not edit by hand.
    A test fails when this file and the registry disagree. -#}
{% macro agency_sources(feed=none) %}
    {%- set sources = [
        {"name": "yandex_direct", "feed": "ad_stats", "staging_model": "stg_yandex_direct__campaign_stats", "freshness": "account", "label_ru": "Яндекс Директ", "label_en": "Yandex Direct"},
        {"name": "vk_ads", "feed": "ad_stats", "staging_model": "stg_vk_ads__campaign_stats", "freshness": "account", "label_ru": "VK Реклама", "label_en": "VK Ads"},
        {"name": "cabinet", "feed": "ad_stats", "staging_model": "stg_cabinet__campaign_stats", "freshness": "account", "label_ru": "Выгрузка из кабинета", "label_en": "Cabinet export"},
        {"name": "calltouch", "feed": "calls", "staging_model": "stg_calltouch__calls", "freshness": "account", "label_ru": "Calltouch", "label_en": "Calltouch"},
        {"name": "comagic", "feed": "calls", "staging_model": "stg_comagic__calls", "freshness": "account", "label_ru": "CoMagic", "label_en": "CoMagic"},
        {"name": "calltouch_requests", "feed": "leads", "staging_model": "stg_calltouch_requests__requests", "freshness": "account", "label_ru": "Заявки Calltouch", "label_en": "Calltouch requests"},
        {"name": "yandex_metrika", "feed": "leads", "staging_model": "stg_yandex_metrika__goal_reaches", "freshness": "account", "label_ru": "Яндекс Метрика", "label_en": "Yandex Metrica"},
        {"name": "amocrm", "feed": "leads", "staging_model": "stg_amocrm__leads", "freshness": "account", "label_ru": "amoCRM", "label_en": "amoCRM"},
        {"name": "bitrix24_leads", "feed": "leads", "staging_model": "stg_bitrix24_leads__leads", "freshness": "account", "label_ru": "Лиды Bitrix24", "label_en": "Bitrix24 leads"},
        {"name": "invoice_register", "feed": "invoices", "staging_model": "stg_invoice_register__invoices", "freshness": "client", "label_ru": "Реестр счетов", "label_en": "Invoice register"},
        {"name": "bank_statement", "feed": "payments", "staging_model": "stg_bank_statement__payments", "freshness": "none", "label_ru": "Банковская выписка", "label_en": "Bank statement"},
    ] -%}
    {%- if feed is none -%}
        {{ return(sources) }}
    {%- else -%}
        {{ return(sources | selectattr("feed", "equalto", feed) | list) }}
    {%- endif -%}
{% endmacro %}
