{#- Generated from the source registry (pipelines/load/sources.py) by
    `uv run python -m pipelines.load.sources --write-dbt`; do not edit by hand.
    A test fails when this file and the registry disagree. -#}
{% macro agency_sources(feed=none) %}
    {%- set sources = [
        {"name": "yandex_direct", "feed": "ad_stats", "staging_model": "stg_yandex_direct__campaign_stats", "freshness": "account", "label_ru": "Яндекс Директ", "label_en": "Yandex Direct", "file_kinds": "yandex_direct_tsv"},
        {"name": "vk_ads", "feed": "ad_stats", "staging_model": "stg_vk_ads__campaign_stats", "freshness": "account", "label_ru": "VK Реклама", "label_en": "VK Ads", "file_kinds": "vk_ads_stats_json"},
        {"name": "cabinet", "feed": "ad_stats", "staging_model": "stg_cabinet__campaign_stats", "freshness": "account", "label_ru": "Выгрузка из кабинета", "label_en": "Cabinet export", "file_kinds": "cabinet_csv"},
        {"name": "calltouch", "feed": "calls", "staging_model": "stg_calltouch__calls", "freshness": "account", "label_ru": "Calltouch", "label_en": "Calltouch", "file_kinds": "calltouch_calls_json"},
        {"name": "comagic", "feed": "calls", "staging_model": "stg_comagic__calls", "freshness": "account", "label_ru": "CoMagic", "label_en": "CoMagic", "file_kinds": "comagic_calls_json"},
        {"name": "calltouch_requests", "feed": "leads", "staging_model": "stg_calltouch_requests__requests", "freshness": "account", "label_ru": "Заявки Calltouch", "label_en": "Calltouch requests", "file_kinds": "calltouch_requests_json,calltouch_requests_export"},
        {"name": "yandex_metrika", "feed": "leads", "staging_model": "stg_yandex_metrika__goal_reaches", "freshness": "account", "label_ru": "Яндекс Метрика", "label_en": "Yandex Metrica", "file_kinds": "yandex_metrika_goal_reaches,yandex_metrika_goals_export"},
        {"name": "amocrm", "feed": "leads", "staging_model": "stg_amocrm__leads", "freshness": "account", "label_ru": "amoCRM", "label_en": "amoCRM", "file_kinds": "amocrm_leads_json,amocrm_leads_export"},
        {"name": "bitrix24_leads", "feed": "leads", "staging_model": "stg_bitrix24_leads__leads", "freshness": "account", "label_ru": "Лиды Bitrix24", "label_en": "Bitrix24 leads", "file_kinds": "bitrix24_leads_json,bitrix24_leads_export"},
        {"name": "invoice_register", "feed": "invoices", "staging_model": "stg_invoice_register__invoices", "freshness": "client", "label_ru": "Реестр счетов", "label_en": "Invoice register", "file_kinds": "invoice_register"},
        {"name": "bank_statement", "feed": "payments", "staging_model": "stg_bank_statement__payments", "freshness": "none", "label_ru": "Банковская выписка", "label_en": "Bank statement", "file_kinds": "bank_statement_1c"},
    ] -%}
    {%- if feed is none -%}
        {{ return(sources) }}
    {%- else -%}
        {{ return(sources | selectattr("feed", "equalto", feed) | list) }}
    {%- endif -%}
{% endmacro %}
