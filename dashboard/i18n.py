"""The dashboard's words in Russian (default) and English.

``t(key, lang, **values)`` looks a phrase up and fills ``{placeholders}``; a key missing from
the English table falls back to Russian, so a forgotten translation never breaks a page.

The marts publish codes and numbers, never prose (docs/decisions.md, "Codes in the marts, words
in the presentation"): health reasons (``client_health_reasons``), unmatched-payment reasons
(``payments.unmatched_*``) and channels (``dim_channels``, whose names the caller reads from the
serving file and passes in) are put into words here, in either language. No Streamlit here:
the dashboard and the reports share this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from dashboard.fmt import MISSING, Lang, integer
from dashboard.fmt import date as fmt_date

__all__ = [
    "HEALTH_COLORS",
    "LANGS",
    "LEAD_TYPES",
    "ChannelNames",
    "HealthReason",
    "PaymentReason",
    "channel_name",
    "counted_by_label",
    "health_label",
    "health_reason_text",
    "health_reasons_text",
    "hold_text",
    "lead_type_label",
    "leads_by_type_text",
    "match_method_label",
    "payment_reason_text",
    "source_name",
    "t",
]

ChannelNames = Mapping[str, tuple[str, str]]
"""Channel code -> (Russian name, English name), as published in ``dim_channels``."""

LANGS: Final[tuple[Lang, ...]] = ("ru", "en")

LEAD_TYPES: Final[tuple[str, ...]] = ("call", "form", "chat", "crm")
"""``lead_ledger.lead_type`` codes in display order; the marts count each as ``<type>_leads``."""

_RU: Final[dict[str, str]] = {
    "app_title": "Отчётность агентства",
    "page_portfolio": "Портфель",
    "page_agency": "Агентство",
    "agency_caption": "{viewer} · на {as_of} · месяц: {month}",
    "agency_month": "Месяц",
    "agency_month_partial": "{month} (неполный)",
    "agency_no_access": "Страница агентства видна тому, кто видит всех клиентов менеджера.",
    "agency_managers_title": "Менеджеры рядом",
    "agency_trend_title": "12 месяцев",
    "agency_trend_metric": "Показатель",
    "agency_total": "Всё агентство",
    "agency_churned_title": "Ушли и пришли за месяц",
    "agency_churned_none": "Клиенты не уходили и не приходили.",
    "agency_moved_summary": "{status}: {clients}",
    "agency_debtors_title": "Просроченные долги",
    "agency_debtors_none": "Просроченных долгов нет.",
    "agency_debtors_top": "Больше всех просрочил: {client} — {overdue}, DSO {dso} дн.",
    "agency_passport_title": "Как считаются показатели",
    "agency_partial_note": "Текущий месяц неполный: отток объявляется только по завершённым месяцам.",
    "col_active_clients": "Активные клиенты",
    "col_new_clients": "Новые",
    "col_returning_clients": "Вернулись",
    "col_churned_clients": "Ушли",
    "col_churn_rate": "Отток",
    "col_fee_revenue": "Выручка (вознаграждение)",
    "col_fee_mom": "К прошлому месяцу",
    "col_fee_yoy": "К прошлому году",
    "col_fee_plan": "План выручки",
    "col_fee_vs_plan": "Выручка к плану",
    "col_budget_vs_plan": "Бюджет к плану",
    "col_dso": "DSO, дней",
    "col_top3": "Доля топ-3",
    "col_hhi": "Индекс Херфиндаля",
    "col_status": "Статус",
    "col_ltv": "LTV",
    "col_lifetime": "Срок, мес.",
    "lifecycle_new": "новый",
    "lifecycle_returning": "вернулся",
    "lifecycle_retained": "остался",
    "lifecycle_churned": "ушёл",
    "lifecycle_inactive": "неактивен",
    "my_numbers_title": "Мои показатели за {month}",
    "my_numbers_agency_title": "Показатели агентства за {month}",
    "portfolio_last_month_note": ("В {current} данных ещё нет: карточки показывают {month} целиком."),
    "passport_active_clients": "Клиенты с расходом или счётом в месяце",
    "passport_new_clients": "Клиенты, у которых это первый активный месяц",
    "passport_returning_clients": "Клиенты, снова активные после оттока",
    "passport_churned_clients": "Клиенты, активные раньше и без расхода и счетов всё окно оттока",
    "passport_churn_rate": "Ушедшие / активные окно оттока назад",
    "passport_fee_revenue": (
        "Вознаграждение агентства по счетам месяца, без НДС (доля счёта из настройки клиента)"
    ),
    "passport_fee_plan": "План выручки: сумма планов вознаграждения клиентов на месяц, без НДС",
    "passport_fee_plan_fulfilment": "Выручка (всех клиентов) / план выручки",
    "passport_fee_paid": "Оплаченная часть вознаграждения, без НДС",
    "passport_pass_through": "Рекламный бюджет в счетах, который агентство переводит площадкам",
    "passport_revenue_growth_mom": "Выручка / выручка прошлого месяца − 1",
    "passport_revenue_growth_yoy": "Выручка / выручка того же месяца год назад − 1",
    "passport_lifetime_months": "Месяцы от первого до последнего активного месяца",
    "passport_ltv": "Оплаченное вознаграждение за всё время, без НДС",
    "passport_top3_share": "Выручка трёх крупнейших клиентов / вся выручка",
    "passport_herfindahl_index": "Сумма квадратов долей клиентов в выручке (1 — один клиент)",
    "passport_dso": "Дебиторка / выставлено за 3 месяца × дни этих месяцев",
    "passport_invoiced": "Сумма счетов по дате выставления, с НДС",
    "passport_paid": "Оплачено по счетам месяца, с НДС",
    "passport_outstanding": "Выставлено − оплачено, с НДС",
    "passport_overdue": "Неоплаченное по счетам с истёкшим сроком, с НДС",
    "passport_expected_inflow": "Неоплаченное по открытым счетам по сроку оплаты, с НДС",
    "vat_gross": "с НДС",
    "page_client_report": "Отчёт по клиенту",
    "language": "Язык",
    "viewer": "Кто смотрит",
    "viewer_all": "Все клиенты агентства",
    "viewer_locked": "Менеджер: {name}",
    "freshness": "Данные по {cutoff}, опубликовано {published}",
    "freshness_no_data": "Данных ещё нет, опубликовано {published}",
    "not_published_title": "Данные ещё не опубликованы",
    "not_published_body": (
        "Первое обновление данных ещё не опубликовано, поэтому показывать пока нечего.\n\n"
        "Чтобы посмотреть на демо-агентство, выполните в корне проекта `make demo`; "
        "для своей агентской конфигурации — `make refresh`. После успешного обновления "
        "обновите эту страницу.\n\nОжидаемый файл: `{path}`"
    ),
    "unknown_manager": (
        "Менеджер `{manager}` из AGENCY_DASHBOARD_MANAGER не найден среди клиентов. "
        "Проверьте настройку дашборда."
    ),
    "no_clients": "У выбранного менеджера пока нет клиентов.",
    # Portfolio
    "portfolio_caption": "{viewer} · на {as_of} · «с начала месяца» — за {month}",
    "portfolio_chart_note": "{month} — неполный месяц.",
    "kpi_spend_mtd": "Расход с начала месяца",
    "kpi_spend_mtd_help": "Без НДС. План на месяц: {plan}.",
    "kpi_leads_mtd": "Лиды с начала месяца",
    "kpi_leads_mtd_help": "План на месяц: {plan}.",
    "kpi_cpl_mtd": "CPL с начала месяца",
    "kpi_cpl_mtd_help": "Сумма расхода / сумма лидов по всем клиентам.",
    "kpi_outstanding": "Дебиторка",
    "kpi_outstanding_help": "Выставлено и не оплачено, с НДС.",
    "kpi_overdue": "Просрочено",
    "kpi_overdue_help": "Неоплаченное по счетам с истёкшим сроком оплаты, с НДС.",
    "kpi_attention": "Требуют внимания",
    "kpi_attention_value": "{n} из {total}",
    "show_churned": "Показывать ушедших клиентов",
    "attention_title": "Требуют внимания: {n}",
    "table_hint": "Выберите строку, чтобы открыть отчёт по клиенту.",
    "col_client": "Клиент",
    "col_manager": "Менеджер",
    "col_health": "Статус",
    "col_reasons": "Причины",
    "col_spend_mtd": "Расход, мес.",
    "col_plan_budget": "План бюджета",
    "col_pacing": "Темп",
    "col_leads_mtd": "Лиды, мес.",
    "col_plan_leads": "План лидов",
    "col_cpl_mtd": "CPL, мес.",
    "col_plan_cpl": "План CPL",
    "col_cpl_trend": "CPL к пред. 30 дн.",
    "col_outstanding": "Дебиторка",
    "col_overdue": "Просрочено",
    "col_days_stale": "Отставание данных, дн.",
    "health_ok": "в норме",
    "health_attention": "внимание",
    "health_churned": "ушёл",
    "open_report": "Открыть отчёт по клиенту",
    "open_report_button": "Отчёт: {client}",
    "portfolio_chart_title": "Расход и лиды портфеля по месяцам",
    "unmatched_title": "Неразнесённые платежи",
    "unmatched_caption": (
        "Поступления по банковской выписке, которые не удалось отнести к счёту: {n} на {amount}. "
        "Чтобы платёж разнёсся, укажите номер счёта в реестре или уточните назначение у плательщика."
    ),
    "col_paid_on": "Дата",
    "col_payer": "Плательщик",
    "col_inn": "ИНН",
    "col_amount": "Сумма",
    "col_purpose": "Назначение платежа",
    "col_reason": "Причина",
    "payer_not_client": "не клиент агентства",
    # Health reasons (client_health_reasons.reason_code): {pct} whole percent, {days} days
    "reason_leads_down": "лиды за 30 дней снизились на {pct} %",
    "reason_cpl_up": "CPL за 30 дней вырос на {pct} %",
    "reason_pacing_off": "темп расхода бюджета {pct} % от плана",
    "reason_invoice_overdue": "счёт просрочен на {days} дн.",
    "reason_source_stale": "данные источника отстают на {days} дн.",
    "reason_source_no_data": "нет данных от подключённого источника",
    # Unmatched payments (payments.unmatched_reason_code / unmatched_amount_reason_code)
    "unmatched_payer_has_no_inn": "у плательщика нет ИНН",
    "unmatched_no_invoice_for_inn": "на ИНН {inn} не выставлено ни одного счёта",
    "unmatched_invoice_not_found": "счёт № {number} для ИНН {inn} не найден",
    "unmatched_invoice_ambiguous": "несколько счетов № {number} для ИНН {inn}",
    "unmatched_no_invoice_number": "в назначении платежа нет номера счёта",
    "unmatched_no_open_invoice_for_amount": "нет открытого счёта ИНН {inn} ровно на {amount}",
    "unmatched_several_open_invoices_for_amount": "открытых счетов ИНН {inn} на {amount}: {n}",
    "unmatched_several_numbers_not_found": (
        "несколько номеров счетов ({numbers}), счёт № {number} не найден"
    ),
    "unmatched_several_numbers_ambiguous": (
        "несколько номеров счетов ({numbers}), счетов № {number} несколько"
    ),
    "unmatched_several_numbers_amount_mismatch": (
        "несколько номеров счетов ({numbers}), сумма не равна их остатку к оплате"
    ),
    # Client report
    "client": "Клиент",
    "period": "Период",
    "period_this_month": "Этот месяц",
    "period_last_month": "Прошлый месяц",
    "period_last_7": "7 дней",
    "period_last_30": "30 дней",
    "period_quarter": "Квартал",
    "period_custom": "Свой период",
    "custom_range": "Даты",
    "report_period": "Период: {period} · сравнение с {previous}",
    "period_empty": "За выбранный период ещё нет полных дней с данными (данные по {cutoff}).",
    "pick_both_dates": "Выберите начало и конец периода.",
    "metric_spend": "Расход",
    "metric_leads": "Лиды",
    "metric_cpl": "CPL",
    "metric_calls": "Звонки",
    "metric_ctr": "CTR",
    "metric_delta_help": "Изменение к периоду {previous}: было {value}.",
    "channels_title": "Результаты по каналам",
    "comparison_title": "Сравнение с прошлым периодом и прошлым годом",
    "comparison_caption": (
        "Период {period}; прошлый период {previous}; год назад {year_ago}. CTR, CPC и CPL "
        "пересчитаны из сумм каждого периода."
    ),
    "col_channel": "Канал",
    "col_spend": "Расход",
    "col_impressions": "Показы",
    "col_clicks": "Клики",
    "col_ctr": "CTR",
    "col_cpc": "CPC",
    "col_calls": "Звонки",
    "col_target_calls": "Целевые звонки",
    "col_leads": "Лиды",
    "col_cpl": "CPL",
    "col_share": "Доля расхода",
    "total": "Итого",
    "no_results": "За этот период у клиента нет ни расхода, ни звонков, ни лидов.",
    "trend_title": "Динамика по дням",
    "plan_title": "План и факт по месяцам",
    "no_plan": "Плана на эти месяцы нет.",
    "col_month": "Месяц",
    "col_budget_fulfilment": "Бюджет, % плана",
    "col_leads_fulfilment": "Лиды, % плана",
    "col_cpl_fulfilment": "CPL к плану",
    "col_invoiced": "Выставлено",
    "col_paid": "Оплачено",
    "month_to_date": "{month} (по {day})",
    "campaigns_title": "Топ кампаний по расходу",
    "col_account": "Кабинет",
    "col_campaign": "Кампания",
    "source_never": "данных не было",
    "payments_title": "Платежи за период",
    "payments_note": (
        "Поступления по банковской выписке, с НДС. Платёж сразу по нескольким счетам показан "
        "строкой на каждый счёт."
    ),
    "col_document": "Платёжное поручение",
    "col_invoice": "Счёт",
    "col_match": "Разнесение",
    "match_number+inn": "по номеру счёта",
    "match_inn+amount": "по ИНН и сумме",
    "match_unmatched": "не разнесён",
    "notes": (
        "Расход — без НДС, суммы счетов — с НДС, валюта — рубли. Даты — по часовому поясу клиента. "
        "CTR, CPC и CPL считаются из сумм за период. Лиды — обращения из всех подключённых систем "
        "(звонки, заявки, чаты, CRM); обращения одного контакта в разных системах объединены в один лид."
    ),
    # Leads (lead_ledger, lead_reconciliation): types, how a lead was counted, reconciliation
    "leads_by_type": "Лиды по типам: {parts}",
    "leads_type_part": "{name} — {n}",
    "leads_call": "звонки",
    "leads_form": "заявки",
    "leads_chat": "чаты",
    "leads_crm": "CRM",
    "col_call_leads": "Лиды: звонки",
    "col_form_leads": "Лиды: заявки",
    "col_chat_leads": "Лиды: чаты",
    "col_crm_leads": "Лиды: CRM",
    "lead_type_call": "звонок",
    "lead_type_form": "заявка",
    "lead_type_chat": "чат",
    "lead_type_crm": "CRM",
    "counted_by_tracker_flag": "уникально-целевой звонок по трекеру",
    "counted_by_agency_rule": "звонок по правилу агентства",
    "counted_by_tracker_request_flag": "уникальная заявка по трекеру",
    "counted_by_goal": "достижение цели Метрики",
    "counted_by_crm_record": "запись в CRM",
    "reconciliation_title": "Сверка лидов",
    "reconciliation_months": "По целым месяцам: {months}.",
    "reconciliation_line": (
        "Системы насчитали лидов: {source}; из них объединено с лидом другой системы (тот же контакт): "
        "{merged}; в отчёте: {ledger}. Записей, которые системы не считают лидами: {excluded}."
    ),
    "col_source": "Система",
    "col_records": "Записей",
    "col_excluded": "Не лиды",
    "col_source_leads": "Лиды системы",
    "col_merged": "Объединено с другой системой",
    "col_ledger_leads": "В отчёте",
    "help_records": "Все записи системы за эти месяцы: звонки, заявки, достижения целей, сделки.",
    "help_excluded": (
        "Записи, которые сама система не считает лидами: звонок не уникально-целевой, повторная "
        "заявка, автоматическая цель или цель не из списка, удалённая сделка, лид в статусе «Некачественный»."
    ),
    "help_source_leads": "Сколько лидов насчитала сама система: записи минус не лиды.",
    "help_merged": (
        "Обращения того же контакта (телефон или e-mail), уже учтённые лидом системы с более высоким "
        "приоритетом: в отчёте это один лид."
    ),
    "help_ledger_leads": "Лиды системы минус объединённые: столько её лидов в отчёте.",
    "ledger_title": "Откуда каждый лид за период ({n})",
    "ledger_note": "Время — по часовому поясу клиента. Контакты не показываются.",
    "col_lead_at": "Когда",
    "col_lead_type": "Тип",
    "col_record": "Запись в системе",
    "col_utm_campaign": "utm_campaign",
    "col_counted_by": "Почему лид",
    "col_merged_events": "Объединено",
    "help_merged_events": "Обращения того же контакта из других систем, объединённые в этот лид.",
    # Charts
    "axis_spend": "Расход, ₽",
    "axis_leads": "Лиды",
    "series_spend": "Расход",
    "series_plan_budget": "План бюджета",
    "series_leads": "Лиды",
    "series_plan_leads": "План лидов",
    # Client reports (reports/: PDF and Excel) and the client page's download buttons
    "report_title": "Отчёт о рекламе",
    "report_days": "{title} ({days})",
    "report_partial": "Данные по {cutoff}: период ещё не закончился.",
    "report_compared": "Сравнение: предыдущий период — {previous}; год назад — {year_ago}.",
    "report_manager": "Менеджер: {name}",
    "metric_clicks": "Клики",
    "card_vs_previous": "к пред. периоду",
    "card_vs_year": "к прошлому году",
    "summary_title": "Что изменилось",
    "change_up": "{metric}: {value}, на {pct} больше, чем {when} ({before}).",
    "change_down": "{metric}: {value}, на {pct} меньше, чем {when} ({before}).",
    "change_up_ratio": "{metric}: {value}, на {pct} выше, чем {when} ({before}).",
    "change_down_ratio": "{metric}: {value}, на {pct} ниже, чем {when} ({before}).",
    "change_same": "{metric}: {value}, столько же, сколько {when}.",
    "change_from_zero": "{metric}: {value}; {when} — {before}.",
    "channel_gain": "Больше всего лидов прибавил канал «{channel}»: {value} против {before} {when}.",
    "channel_loss": "Больше всего лидов потерял канал «{channel}»: {value} против {before} {when}.",
    "plan_leads_sentence": "План по лидам на {month} выполнен на {pct}: {value} из {plan}.",
    "plan_budget_sentence": "Бюджет на {month} израсходован на {pct} плана: {value} из {plan}.",
    "plan_pacing_sentence": "Темп расхода бюджета на {day} — {pct} плана.",
    "results_title": "Результаты по каналам",
    "leads_title": "Звонки и лиды по типам",
    "freshness_title": "Свежесть данных",
    "report_freshness": "Данные по {cutoff} включительно; выгрузка {run} от {published}.",
    "report_data_line": "Данные по {cutoff} включительно, опубликованы {published}.",
    "source_through": "{name}: по {day}",
    "source_behind": "{name}: по {day}, отстаёт на {days} дн.",
    "passport_title": "Приложение. Паспорт показателей",
    "passport_intro": (
        "Дни — по часовому поясу клиента ({timezone}). Валюта: {currency}. Срез данных: {cutoff}. "
        "Отношения (CTR, CPC, CPL) считаются из сумм за период, а не усредняются по дням."
    ),
    "col_metric": "Показатель",
    "col_formula": "Как считается",
    "col_vat": "НДС",
    "col_currency": "Валюта",
    "col_value": "Значение",
    "col_previous": "Пред. период",
    "col_change": "Изменение",
    "col_year_ago": "Год назад",
    "col_change_year": "Изменение к году",
    "comparison_channels_title": "По каналам",
    "col_vs_previous": "{metric}: к пред. периоду",
    "col_vs_year": "{metric}: к году",
    "col_date": "Дата",
    "col_period": "Период",
    "vat_net": "без НДС",
    "passport_spend": "Сумма расходов в рекламных кабинетах за период",
    "passport_impressions": "Сумма показов",
    "passport_clicks": "Сумма кликов",
    "passport_ctr": "Клики / показы",
    "passport_cpc": "Расход / клики; у канала без расхода (SEO, прямые заходы) — «—»",
    "passport_share": "Расход канала / расход всех каналов",
    "passport_calls": "Звонки из коллтрекинга, каждый звонок (его id) один раз",
    "passport_target_calls": (
        "Звонки, отмеченные трекером как целевые; где отметки нет — принятые с разговором не короче "
        "порога агентства"
    ),
    "passport_leads": (
        "Уникально-целевые звонки, заявки, чаты и сделки CRM; обращения одного контакта в окне "
        "уникальности — один лид"
    ),
    "passport_cpl": "Расход / лиды; у канала без расхода — «—»",
    "passport_budget_fulfilment": "Расход за месяц / план бюджета",
    "passport_budget_pacing": "Расход на дату / (план бюджета × доля прошедших дней месяца)",
    "passport_leads_fulfilment": "Лиды за месяц / план лидов",
    "passport_cpl_fulfilment": "CPL / плановый CPL (меньше 100 % — лучше плана)",
    "page_of": "стр. {page} из {pages}",
    "sheet_summary": "Сводка",
    "sheet_results": "Каналы",
    "sheet_leads": "Лиды по типам",
    "sheet_daily": "По дням",
    "sheet_plan": "План и факт",
    "sheet_campaigns": "Кампании",
    "sheet_passport": "Паспорт показателей",
    "download_pdf": "PDF",
    "download_xlsx": "Excel",
    "download_help": "Отчёт клиента за {period}: {file}",
    "page_data_health": "Состояние данных",
    "health_caption": (
        "Каждый кабинет видимых клиентов: по какой день загружены данные, последняя успешная "
        "загрузка, последняя ошибка и что делать. Данные на {as_of}."
    ),
    "health_all_ok": "Все кабинеты загружены вовремя.",
    "health_kpi_failing": "Загрузка не удалась",
    "health_kpi_behind": "Отстают",
    "health_kpi_never": "Ни разу не загружены",
    "health_kpi_ok": "В порядке",
    "col_health_state": "Состояние",
    "col_covered_to": "Загружено по",
    "col_last_success": "Последняя успешная загрузка",
    "col_last_error": "Последняя ошибка",
    "col_what_to_do": "Что делать",
    "health_state_failing": "Загрузка не удалась",
    "health_state_never": "Ни разу не загружен",
    "health_state_behind": "Отстаёт",
    "health_state_ok": "В порядке",
    "health_todo_failing": (
        "Проверьте доступ к кабинету (токен, права) по тексту ошибки и перезапустите обновление"
    ),
    "health_todo_never": (
        "Проверьте идентификатор кабинета в конфигурации и доступ; для выгрузок положите файл "
        "во входящую папку"
    ),
    "health_todo_behind": "Проверьте, что ночное обновление запускается и берёт этот кабинет",
    "health_todo_ok": "",
    "balances_title": "Балансы рекламных счетов",
    "balances_caption": (
        "Остаток на счёте при последней проверке, средний расход за последние 7 дней и на сколько "
        "дней хватит. Меньше {days} дн. — пора пополнять."
    ),
    "balances_none": "Балансы счетов ещё не проверялись.",
    "balances_low_warning": "Заканчиваются деньги на счетах: {n}. Пополните их или предупредите клиентов.",
    "col_balance": "Остаток",
    "col_daily_spend_7d": "Расход в день (7 дн.)",
    "col_days_left": "Хватит на, дн.",
    "col_balance_state": "Счёт",
    "col_balance_at": "Проверен",
    "balance_state_ok": "В порядке",
    "balance_state_low": "Заканчивается",
    "balance_state_empty": "Деньги закончились",
    "balance_state_unknown": "Не удалось проверить",
    "portfolio_low_balances": "Заканчиваются деньги на рекламных счетах",
    "portfolio_low_balance_line": "**{client}** — {source} {account}: {left}, {days}",
    "portfolio_balance_days": "хватит на {days} дн.",
    "portfolio_balance_empty": "деньги закончились",
    "signin_title": "Вход в отчётность агентства",
    "signin_login": "Логин",
    "signin_password": "Пароль",
    "signin_submit": "Войти",
    "signin_bad": "Неверный логин или пароль.",
    "signin_locked": "Слишком много неверных паролей подряд: вход закрыт до {until} МСК.",
    "signin_disabled": "Учётная запись отключена: обратитесь к руководителю агентства.",
    "signin_no_users": "Пользователей ещё нет. Создайте первого (руководителя агентства) командой:",
    "signin_oidc": "Войти через учётную запись агентства",
    "signin_oidc_unknown": "{email} не заведён в отчётности: попросите руководителя агентства добавить вас.",
    "signout": "Выйти",
    "signed_in_as": "Вы вошли как **{name}** ({role})",
    "role_head": "руководитель агентства",
    "role_manager": "менеджер",
    "role_specialist": "специалист",
    "role_client": "клиент",
    "auth_off": "Вход отключён (AGENCY_AUTH=off): любой, кто откроет этот адрес, видит всё.",
    "link_title": "Ссылка на отчёт",
    "link_viewer": "Отчёт по ссылке",
    "link_tampered": "Ссылка повреждена: скопируйте её целиком из письма или попросите новую.",
    "link_expired": "Срок действия ссылки истёк: попросите у менеджера новую.",
    "link_revoked": "Ссылка отозвана: попросите у менеджера новую.",
    "link_no_secret": "Ссылки на отчёты не настроены (нет AGENCY_LINK_SECRET): сообщите агентству.",
    "link_refused": "Ссылка не принята: попросите у менеджера новую.",
    "no_access_page": "Эта страница вам недоступна.",
    "reports_title": "Отчёты клиентам",
    "reports_caption": "Последние отчёты клиентов с получателями: что ушло, что ждёт и почему.",
    "reports_unavailable": "Состояние отчётов недоступно: {error}",
    "report_state_held": "Задержан",
    "report_state_failed": "Не доставлен",
    "report_state_awaiting_review": "Ждёт одобрения",
    "report_state_approved": "Одобрен",
    "report_state_due": "Уйдёт с рассылкой",
    "report_state_not_due": "Ещё не время",
    "report_state_sent": "Отправлен",
    "report_detail_sent": "{n} из {total} получателей, последняя отправка {when}",
    "report_detail_revision": "исправление № {n}",
    "report_detail_not_due": "рассылка с {day}",
    "report_detail_due": "данные окончательны; уйдёт с ближайшей рассылкой",
    "report_detail_awaiting": "данные окончательны; посмотрите PDF и одобрите отправку",
    "report_detail_awaiting_changed": "цифры изменились после одобрения {who} {when}: нужно одобрить заново",
    "report_detail_approved": "одобрил {who} {when}; уйдёт в ближайшие минуты",
    "col_report_state": "Состояние",
    "col_report_period": "Период",
    "col_report_details": "Подробности",
    "review_title": "Ждут вашего одобрения: {n}",
    "review_row": "**{client}**, {period}",
    "review_pdf": "PDF на проверку",
    "review_approve": "Одобрить отправку",
    "review_done": "Отчёт {client} за {period} одобрен: он уйдёт получателям в ближайшие минуты.",
    "review_failed": "Не удалось одобрить отчёт {client}: {error}",
    "hold_not_served": "Клиент не обслуживался в этом периоде",
    "hold_account_failed": "Кабинет {source}/{account}: последняя загрузка не удалась{detail}",
    "hold_account_not_covered": "Кабинет {source}/{account}: за период ничего не загружено",
    "hold_account_not_covered_to": "Кабинет {source}/{account}: данные загружены только по {day}",
    "hold_restatement_open": "Данные за период ещё пересчитываются площадками: окончательны с {day}",
}

_EN: Final[dict[str, str]] = {
    "app_title": "Agency reporting",
    "page_portfolio": "Portfolio",
    "page_agency": "Agency",
    "agency_caption": "{viewer} · as of {as_of} · month: {month}",
    "agency_month": "Month",
    "agency_month_partial": "{month} (to date)",
    "agency_no_access": "The agency page is for a viewer who sees all of a manager's clients.",
    "agency_managers_title": "Managers side by side",
    "agency_trend_title": "12 months",
    "agency_trend_metric": "Metric",
    "agency_total": "The whole agency",
    "agency_churned_title": "Clients lost and won this month",
    "agency_churned_none": "No client left or arrived.",
    "agency_moved_summary": "{status}: {clients}",
    "agency_debtors_title": "Overdue money",
    "agency_debtors_none": "Nothing is overdue.",
    "agency_debtors_top": "Most overdue: {client}, {overdue}, DSO {dso} days.",
    "agency_passport_title": "How the figures are computed",
    "agency_partial_note": "The current month is not over: churn is declared for complete months only.",
    "col_active_clients": "Active clients",
    "col_new_clients": "New",
    "col_returning_clients": "Returning",
    "col_churned_clients": "Churned",
    "col_churn_rate": "Churn",
    "col_fee_revenue": "Revenue (fee)",
    "col_fee_mom": "vs last month",
    "col_fee_yoy": "vs last year",
    "col_fee_plan": "Revenue plan",
    "col_fee_vs_plan": "Revenue vs plan",
    "col_budget_vs_plan": "Budget vs plan",
    "col_dso": "DSO, days",
    "col_top3": "Top-3 share",
    "col_hhi": "Herfindahl index",
    "col_status": "Status",
    "col_ltv": "LTV",
    "col_lifetime": "Lifetime, months",
    "lifecycle_new": "new",
    "lifecycle_returning": "returning",
    "lifecycle_retained": "retained",
    "lifecycle_churned": "churned",
    "lifecycle_inactive": "inactive",
    "my_numbers_title": "My numbers for {month}",
    "my_numbers_agency_title": "The agency's numbers for {month}",
    "portfolio_last_month_note": "No data for {current} yet: the cards show the whole of {month}.",
    "passport_active_clients": "Clients with spend or an invoice in the month",
    "passport_new_clients": "Clients in their first active month",
    "passport_returning_clients": "Clients active again after a churn",
    "passport_churned_clients": (
        "Clients active before and without spend or invoices for the whole churn window"
    ),
    "passport_churn_rate": "Churned / clients active a churn window earlier",
    "passport_fee_revenue": (
        "The agency's fee on the month's invoices, net of VAT (the client's configured share)"
    ),
    "passport_fee_plan": "The revenue plan: the clients' monthly fee plans summed, net of VAT",
    "passport_fee_plan_fulfilment": "Revenue (of all the clients) / the revenue plan",
    "passport_fee_paid": "The part of the fee paid, net of VAT",
    "passport_pass_through": "Ad budget on the invoices that the agency passes on to the platforms",
    "passport_revenue_growth_mom": "Revenue / last month's revenue − 1",
    "passport_revenue_growth_yoy": "Revenue / the same month's revenue a year earlier − 1",
    "passport_lifetime_months": "Months from the first to the last active month",
    "passport_ltv": "The fee paid over the client's lifetime, net of VAT",
    "passport_top3_share": "The three largest clients' revenue / all revenue",
    "passport_herfindahl_index": "Sum of the clients' squared revenue shares (1 = one client)",
    "passport_dso": "Receivables / invoiced over 3 months × those months' days",
    "passport_invoiced": "Invoices by issue date, incl. VAT",
    "passport_paid": "Paid on the month's invoices, incl. VAT",
    "passport_outstanding": "Invoiced − paid, incl. VAT",
    "passport_overdue": "Unpaid on invoices past their due date, incl. VAT",
    "passport_expected_inflow": "Unpaid on open invoices by due date, incl. VAT",
    "vat_gross": "incl. VAT",
    "page_client_report": "Client report",
    "language": "Language",
    "viewer": "Viewer",
    "viewer_all": "All agency clients",
    "viewer_locked": "Manager: {name}",
    "freshness": "Data through {cutoff}, published {published}",
    "freshness_no_data": "No data yet, published {published}",
    "not_published_title": "No data published yet",
    "not_published_body": (
        "The first data refresh has not been published yet, so there is nothing to show.\n\n"
        "To see the demo agency run `make demo` in the project root; for your own agency "
        "configuration run `make refresh`. Reload this page after a successful refresh.\n\n"
        "Expected file: `{path}`"
    ),
    "unknown_manager": (
        "Manager `{manager}` from AGENCY_DASHBOARD_MANAGER has no clients. Check the dashboard settings."
    ),
    "no_clients": "This manager has no clients yet.",
    "portfolio_caption": "{viewer} · as of {as_of} · month to date: {month}",
    "portfolio_chart_note": "{month} is not over yet.",
    "kpi_spend_mtd": "Spend, month to date",
    "kpi_spend_mtd_help": "Net of VAT. Monthly plan: {plan}.",
    "kpi_leads_mtd": "Leads, month to date",
    "kpi_leads_mtd_help": "Monthly plan: {plan}.",
    "kpi_cpl_mtd": "CPL, month to date",
    "kpi_cpl_mtd_help": "Total spend / total leads over all clients.",
    "kpi_outstanding": "Receivables",
    "kpi_outstanding_help": "Invoiced and not yet paid, incl. VAT.",
    "kpi_overdue": "Overdue",
    "kpi_overdue_help": "Unpaid on invoices past their due date, incl. VAT.",
    "kpi_attention": "Need attention",
    "kpi_attention_value": "{n} of {total}",
    "show_churned": "Show churned clients",
    "attention_title": "Need attention: {n}",
    "table_hint": "Select a row to open the client's report.",
    "col_client": "Client",
    "col_manager": "Manager",
    "col_health": "Health",
    "col_reasons": "Reasons",
    "col_spend_mtd": "Spend MTD",
    "col_plan_budget": "Budget plan",
    "col_pacing": "Pacing",
    "col_leads_mtd": "Leads MTD",
    "col_plan_leads": "Leads plan",
    "col_cpl_mtd": "CPL MTD",
    "col_plan_cpl": "CPL target",
    "col_cpl_trend": "CPL vs prev. 30 d",
    "col_outstanding": "Receivables",
    "col_overdue": "Overdue",
    "col_days_stale": "Data lag, days",
    "health_ok": "ok",
    "health_attention": "attention",
    "health_churned": "churned",
    "open_report": "Open a client's report",
    "open_report_button": "Report: {client}",
    "portfolio_chart_title": "Portfolio spend and leads by month",
    "unmatched_title": "Unmatched payments",
    "unmatched_caption": (
        "Money received per the bank statement that could not be applied to an invoice: {n}, {amount}. "
        "To match a payment, put the invoice number in the register or ask the payer what it was for."
    ),
    "col_paid_on": "Date",
    "col_payer": "Payer",
    "col_inn": "INN",
    "col_amount": "Amount",
    "col_purpose": "Payment purpose",
    "col_reason": "Reason",
    "payer_not_client": "not a client",
    "reason_leads_down": "leads down {pct} % over 30 days",
    "reason_cpl_up": "CPL up {pct} % over 30 days",
    "reason_pacing_off": "budget pacing at {pct} % of plan",
    "reason_invoice_overdue": "an invoice is {days} days overdue",
    "reason_source_stale": "a source is {days} days behind",
    "reason_source_no_data": "a configured source has sent no data",
    "unmatched_payer_has_no_inn": "the payer has no INN",
    "unmatched_no_invoice_for_inn": "no invoice was issued to INN {inn}",
    "unmatched_invoice_not_found": "invoice № {number} of INN {inn} is not found",
    "unmatched_invoice_ambiguous": "invoice № {number} of INN {inn} is ambiguous",
    "unmatched_no_invoice_number": "no invoice number in the payment purpose",
    "unmatched_no_open_invoice_for_amount": "no open invoice of INN {inn} is for exactly {amount}",
    "unmatched_several_open_invoices_for_amount": "{n} open invoices of INN {inn} are for {amount}",
    "unmatched_several_numbers_not_found": (
        "several invoice numbers ({numbers}) and invoice № {number} is not found"
    ),
    "unmatched_several_numbers_ambiguous": (
        "several invoice numbers ({numbers}) and invoice № {number} is ambiguous"
    ),
    "unmatched_several_numbers_amount_mismatch": (
        "several invoice numbers ({numbers}) and the amount is not their outstanding total"
    ),
    "client": "Client",
    "period": "Period",
    "period_this_month": "This month",
    "period_last_month": "Last month",
    "period_last_7": "7 days",
    "period_last_30": "30 days",
    "period_quarter": "Quarter",
    "period_custom": "Custom",
    "custom_range": "Dates",
    "report_period": "Period: {period} · compared with {previous}",
    "period_empty": "The chosen period has no full days of data yet (data through {cutoff}).",
    "pick_both_dates": "Pick the first and the last day.",
    "metric_spend": "Spend",
    "metric_leads": "Leads",
    "metric_cpl": "CPL",
    "metric_calls": "Calls",
    "metric_ctr": "CTR",
    "metric_delta_help": "Change vs {previous}: was {value}.",
    "channels_title": "Results by channel",
    "comparison_title": "Against the previous period and last year",
    "comparison_caption": (
        "Period {period}; previous period {previous}; a year ago {year_ago}. CTR, CPC and CPL "
        "are recomputed from each period's sums."
    ),
    "col_channel": "Channel",
    "col_spend": "Spend",
    "col_impressions": "Impressions",
    "col_clicks": "Clicks",
    "col_ctr": "CTR",
    "col_cpc": "CPC",
    "col_calls": "Calls",
    "col_target_calls": "Target calls",
    "col_leads": "Leads",
    "col_cpl": "CPL",
    "col_share": "Share of spend",
    "total": "Total",
    "no_results": "No spend, calls or leads for this client in the period.",
    "trend_title": "Daily trend",
    "plan_title": "Plan vs actual by month",
    "no_plan": "No plan for these months.",
    "col_month": "Month",
    "col_budget_fulfilment": "Budget, % of plan",
    "col_leads_fulfilment": "Leads, % of plan",
    "col_cpl_fulfilment": "CPL vs target",
    "col_invoiced": "Invoiced",
    "col_paid": "Paid",
    "month_to_date": "{month} (to {day})",
    "campaigns_title": "Top campaigns by spend",
    "col_account": "Account",
    "col_campaign": "Campaign",
    "source_never": "no data yet",
    "payments_title": "Payments in the period",
    "payments_note": (
        "Money received per the bank statement, incl. VAT. A payment for several invoices has one "
        "row per invoice."
    ),
    "col_document": "Payment order",
    "col_invoice": "Invoice",
    "col_match": "Matched",
    "match_number+inn": "by invoice number",
    "match_inn+amount": "by INN and amount",
    "match_unmatched": "unmatched",
    "notes": (
        "Spend is net of VAT, invoice amounts include VAT, currency is RUB. Days are the client's "
        "local days. CTR, CPC and CPL are computed from the period's totals. Leads are enquiries "
        "from every connected system (calls, forms, chats, CRM); one contact's enquiries in several "
        "systems are merged into one lead."
    ),
    "leads_by_type": "Leads by type: {parts}",
    "leads_type_part": "{name} — {n}",
    "leads_call": "calls",
    "leads_form": "forms",
    "leads_chat": "chats",
    "leads_crm": "CRM",
    "col_call_leads": "Leads: calls",
    "col_form_leads": "Leads: forms",
    "col_chat_leads": "Leads: chats",
    "col_crm_leads": "Leads: CRM",
    "lead_type_call": "call",
    "lead_type_form": "form",
    "lead_type_chat": "chat",
    "lead_type_crm": "CRM",
    "counted_by_tracker_flag": "the tracker's unique-target call",
    "counted_by_agency_rule": "a call by the agency's rule",
    "counted_by_tracker_request_flag": "the tracker's unique request",
    "counted_by_goal": "a Metrika goal reached",
    "counted_by_crm_record": "a CRM record",
    "reconciliation_title": "Leads reconciliation",
    "reconciliation_months": "By whole months: {months}.",
    "reconciliation_line": (
        "Leads the systems counted: {source}; merged into another system's lead (same contact): "
        "{merged}; in the report: {ledger}. Records the systems do not count as leads: {excluded}."
    ),
    "col_source": "System",
    "col_records": "Records",
    "col_excluded": "Not leads",
    "col_source_leads": "System's leads",
    "col_merged": "Merged into another system",
    "col_ledger_leads": "In the report",
    "help_records": "Every record of the system in these months: calls, requests, goal reaches, deals.",
    "help_excluded": (
        "Records the system itself does not count as leads: a call that is not unique-target, a "
        "repeated request, an automatic goal or a goal not on the list, a deleted deal, a junk lead."
    ),
    "help_source_leads": "The leads the system itself counted: records minus not leads.",
    "help_merged": (
        "Enquiries from the same contact (phone or e-mail) already counted as a lead of a system of "
        "higher priority: one lead in the report."
    ),
    "help_ledger_leads": "The system's leads minus the merged ones: its leads in the report.",
    "ledger_title": "Where each lead of the period came from ({n})",
    "ledger_note": "Times are the client's local time. Contacts are not shown.",
    "col_lead_at": "When",
    "col_lead_type": "Type",
    "col_record": "Record in the system",
    "col_utm_campaign": "utm_campaign",
    "col_counted_by": "Counted as a lead by",
    "col_merged_events": "Merged",
    "help_merged_events": "Enquiries from the same contact in other systems merged into this lead.",
    "axis_spend": "Spend, ₽",
    "axis_leads": "Leads",
    "series_spend": "Spend",
    "series_plan_budget": "Budget plan",
    "series_leads": "Leads",
    "series_plan_leads": "Leads plan",
    "report_title": "Advertising report",
    "report_days": "{title} ({days})",
    "report_partial": "Data through {cutoff}: the period is not over yet.",
    "report_compared": "Compared with the previous period, {previous}, and a year earlier, {year_ago}.",
    "report_manager": "Account manager: {name}",
    "metric_clicks": "Clicks",
    "card_vs_previous": "vs previous period",
    "card_vs_year": "vs a year earlier",
    "summary_title": "What changed",
    "change_up": "{metric}: {value}, up {pct} from {before} {when}.",
    "change_down": "{metric}: {value}, down {pct} from {before} {when}.",
    "change_up_ratio": "{metric}: {value}, up {pct} from {before} {when}.",
    "change_down_ratio": "{metric}: {value}, down {pct} from {before} {when}.",
    "change_same": "{metric}: {value}, the same as {when}.",
    "change_from_zero": "{metric}: {value}, against {before} {when}.",
    "channel_gain": "The channel that gained the most leads: {channel}, {value} against {before} {when}.",
    "channel_loss": "The channel that lost the most leads: {channel}, {value} against {before} {when}.",
    "plan_leads_sentence": "Leads plan for {month}: {pct} met, {value} of {plan}.",
    "plan_budget_sentence": "Budget for {month}: {pct} of plan spent, {value} of {plan}.",
    "plan_pacing_sentence": "Budget pacing on {day}: {pct} of plan.",
    "results_title": "Results by channel",
    "leads_title": "Calls and leads by type",
    "freshness_title": "Data freshness",
    "report_freshness": "Data through {cutoff} inclusive; publication {run} of {published}.",
    "report_data_line": "Data through {cutoff} inclusive, published {published}.",
    "source_through": "{name}: through {day}",
    "source_behind": "{name}: through {day}, {days} days behind",
    "passport_title": "Appendix: metric passport",
    "passport_intro": (
        "Days are the client's local days ({timezone}). Currency: {currency}. Data cut-off: {cutoff}. "
        "Ratios (CTR, CPC, CPL) are computed from the period's totals, never averaged over days."
    ),
    "col_metric": "Metric",
    "col_formula": "Formula",
    "col_vat": "VAT",
    "col_currency": "Currency",
    "col_value": "Value",
    "col_previous": "Previous period",
    "col_change": "Change",
    "col_year_ago": "A year earlier",
    "col_change_year": "Change vs a year earlier",
    "comparison_channels_title": "By channel",
    "col_vs_previous": "{metric}: vs previous",
    "col_vs_year": "{metric}: vs last year",
    "col_date": "Date",
    "col_period": "Period",
    "vat_net": "net of VAT",
    "passport_spend": "Sum of the ad platforms' cost over the period",
    "passport_impressions": "Sum of impressions",
    "passport_clicks": "Sum of clicks",
    "passport_ctr": "Clicks / impressions",
    "passport_cpc": 'Spend / clicks; a channel without spend (SEO, direct) shows "—"',
    "passport_share": "The channel's spend / all channels' spend",
    "passport_calls": "Call-tracking calls, each call (its id) once",
    "passport_target_calls": (
        "Calls the tracker flags as target; where it gives no flag, answered calls with a talk of at "
        "least the agency's threshold"
    ),
    "passport_leads": (
        "Unique target calls, forms, chats and CRM deals; one contact within the uniqueness window "
        "is one lead"
    ),
    "passport_cpl": 'Spend / leads; a channel without spend shows "—"',
    "passport_budget_fulfilment": "The month's spend / budget plan",
    "passport_budget_pacing": "Spend to date / (budget plan × elapsed share of the month)",
    "passport_leads_fulfilment": "The month's leads / leads plan",
    "passport_cpl_fulfilment": "CPL / target CPL (below 100 % is better than plan)",
    "page_of": "page {page} of {pages}",
    "sheet_summary": "Summary",
    "sheet_results": "Channels",
    "sheet_leads": "Leads by type",
    "sheet_daily": "Daily",
    "sheet_plan": "Plan vs actual",
    "sheet_campaigns": "Campaigns",
    "sheet_passport": "Metric passport",
    "download_pdf": "PDF",
    "download_xlsx": "Excel",
    "download_help": "The client's report for {period}: {file}",
    "page_data_health": "Data health",
    "health_caption": (
        "Every account of the visible clients: up to which day data is loaded, the last good "
        "load, the last error and what to do. As of {as_of}."
    ),
    "health_all_ok": "Every account is loaded on time.",
    "health_kpi_failing": "Load failed",
    "health_kpi_behind": "Behind",
    "health_kpi_never": "Never loaded",
    "health_kpi_ok": "OK",
    "col_health_state": "State",
    "col_covered_to": "Loaded up to",
    "col_last_success": "Last good load",
    "col_last_error": "Last error",
    "col_what_to_do": "What to do",
    "health_state_failing": "Load failed",
    "health_state_never": "Never loaded",
    "health_state_behind": "Behind",
    "health_state_ok": "OK",
    "health_todo_failing": "Check the account's access (token, rights) from the error and re-run the refresh",
    "health_todo_never": (
        "Check the account id in the configuration and the access; for exports, drop a file into the inbox"
    ),
    "health_todo_behind": "Check that the nightly refresh runs and includes this account",
    "health_todo_ok": "",
    "balances_title": "Ad account balances",
    "balances_caption": (
        "The money left at the last check, the average daily spend of the last 7 days and how many "
        "days it lasts. Fewer than {days} days: time to top up."
    ),
    "balances_none": "No account balance has been checked yet.",
    "balances_low_warning": "Accounts running out of money: {n}. Top them up or tell the clients.",
    "col_balance": "Balance",
    "col_daily_spend_7d": "Daily spend (7 days)",
    "col_days_left": "Days left",
    "col_balance_state": "Account",
    "col_balance_at": "Checked",
    "balance_state_ok": "OK",
    "balance_state_low": "Running low",
    "balance_state_empty": "Out of money",
    "balance_state_unknown": "Could not check",
    "portfolio_low_balances": "Ad accounts running out of money",
    "portfolio_low_balance_line": "**{client}** — {source} {account}: {left}, {days}",
    "portfolio_balance_days": "{days} days left",
    "portfolio_balance_empty": "out of money",
    "signin_title": "Sign in to the agency's reporting",
    "signin_login": "Login",
    "signin_password": "Password",
    "signin_submit": "Sign in",
    "signin_bad": "Wrong login or password.",
    "signin_locked": "Too many wrong passwords in a row: signing in is locked until {until} Moscow time.",
    "signin_disabled": "This account is disabled: ask the agency head.",
    "signin_no_users": "There are no users yet. Create the first one (the agency head) with:",
    "signin_oidc": "Sign in with the agency's account",
    "signin_oidc_unknown": "{email} has no access to the reporting: ask the agency head to add you.",
    "signout": "Sign out",
    "signed_in_as": "Signed in as **{name}** ({role})",
    "role_head": "agency head",
    "role_manager": "manager",
    "role_specialist": "specialist",
    "role_client": "client",
    "auth_off": "Sign-in is off (AGENCY_AUTH=off): anyone who opens this address sees everything.",
    "link_title": "Report link",
    "link_viewer": "Report by link",
    "link_tampered": "The link is damaged: copy it whole from the message or ask for a new one.",
    "link_expired": "The link has expired: ask your account manager for a new one.",
    "link_revoked": "The link was revoked: ask your account manager for a new one.",
    "link_no_secret": "Report links are not set up (no AGENCY_LINK_SECRET): tell the agency.",
    "link_refused": "The link was not accepted: ask your account manager for a new one.",
    "no_access_page": "This page is not available to you.",
    "reports_title": "Client reports",
    "reports_caption": "The latest reports of clients with recipients: what went, what waits, and why.",
    "reports_unavailable": "The reports' state is unavailable: {error}",
    "report_state_held": "Held",
    "report_state_failed": "Not delivered",
    "report_state_awaiting_review": "Awaiting approval",
    "report_state_approved": "Approved",
    "report_state_due": "Goes with the next send",
    "report_state_not_due": "Not due yet",
    "report_state_sent": "Sent",
    "report_detail_sent": "{n} of {total} recipients, last sent {when}",
    "report_detail_revision": "correction no. {n}",
    "report_detail_not_due": "sent from {day}",
    "report_detail_due": "the data is settled; it goes with the next send",
    "report_detail_awaiting": "the data is settled; look at the PDF and approve sending",
    "report_detail_awaiting_changed": "the figures changed after {who} approved them {when}: approve again",
    "report_detail_approved": "approved by {who} {when}; it goes within minutes",
    "col_report_state": "State",
    "col_report_period": "Period",
    "col_report_details": "Details",
    "review_title": "Awaiting your approval: {n}",
    "review_row": "**{client}**, {period}",
    "review_pdf": "PDF to check",
    "review_approve": "Approve sending",
    "review_done": "The report of {client} for {period} is approved: it goes out within minutes.",
    "review_failed": "Could not approve the report of {client}: {error}",
    "hold_not_served": "The client was not served in the period",
    "hold_account_failed": "Account {source}/{account}: the last load failed{detail}",
    "hold_account_not_covered": "Account {source}/{account}: nothing of the period was loaded",
    "hold_account_not_covered_to": "Account {source}/{account}: data loaded only through {day}",
    "hold_restatement_open": "The platforms may still revise the period's data: final on {day}",
}

HEALTH_COLORS: Final[dict[str, str]] = {"ok": "#2e7d32", "attention": "#d84315", "churned": "#757575"}


def t(key: str, lang: Lang = "ru", **values: object) -> str:
    """The phrase ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    table = _EN if lang == "en" else _RU
    text = table.get(key) or _RU[key]
    return text.format(**values) if values else text


def channel_name(channel: str | None, lang: Lang = "ru", names: ChannelNames | None = None) -> str:
    """Display name of a channel from ``names`` (``dim_channels``); the code itself when unknown.

    ``None`` is the totals row of a channel table.
    """
    if channel is None:
        return t("total", lang)
    pair = (names or {}).get(channel)
    return channel if pair is None else pair[1 if lang == "en" else 0]


def source_name(
    source: str,
    lang: Lang = "ru",
    channel_names: ChannelNames | None = None,
    source_names: ChannelNames | None = None,
    account_id: str | None = None,
) -> str:
    """Display name of a ``source_freshness`` row: the source's name from ``source_names``
    (``dim_sources``), the code when unknown; an account that is itself a channel (a cabinet
    export per ad platform) adds the channel's name: "Выгрузка из кабинета: Google Ads"."""
    names = (source_names or {}).get(source)
    base = source if names is None else names[1 if lang == "en" else 0]
    if account_id and account_id in (channel_names or {}):
        return f"{base}: {channel_name(account_id, lang, channel_names)}"
    return base


def health_label(health: str, lang: Lang = "ru") -> str:
    """``● внимание`` etc.: a dot and the word (tables color it with :data:`HEALTH_COLORS`).

    A plain dot rather than a colored emoji: it renders in every font, including servers'
    headless browsers that have no emoji font.
    """
    key = f"health_{health}"
    word = t(key, lang) if key in _RU else health
    return f"● {word}"


def _decimal(value: object) -> Decimal | None:
    """A published number as a Decimal; None when missing (None, NaN, pandas NA) or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return out if out.is_finite() else None


def _whole(value: object) -> str:
    """A whole number as the marts publish it (``62``, ``-5``; no grouping); ``—`` when missing."""
    dec = _decimal(value)
    return MISSING if dec is None else str(int(dec.to_integral_value(rounding=ROUND_HALF_UP)))


def _amount(value: object, lang: Lang) -> str:
    """A payment amount with kopecks and no grouping: ``50000,00`` (ru) / ``50000.00`` (en)."""
    dec = _decimal(value)
    if dec is None:
        return MISSING
    text = f"{dec.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.replace(".", ",") if lang == "ru" else text


def _text(value: object) -> str:
    """A published text value; ``—`` when missing."""
    return value if isinstance(value, str) and value else MISSING


def _phrase(prefix: str, code: str, lang: Lang, **values: object) -> str:
    """The phrase for ``code`` with its values; a code this module does not know is shown as is."""
    key = prefix + code
    return t(key, lang, **values) if key in _RU else code


@dataclass(frozen=True)
class HealthReason:
    """One ``client_health_reasons`` row: why a client needs attention."""

    code: str
    value_pct: object = None
    """Whole percent (leads_down, cpl_up, pacing_off)."""
    value_days: object = None
    """Days (invoice_overdue, source_stale)."""


def health_reason_text(reason: HealthReason, lang: Lang = "ru") -> str:
    """``лиды за 30 дней снизились на 62 %`` / ``leads down 62 % over 30 days`` and so on."""
    return _phrase("reason_", reason.code, lang, pct=_whole(reason.value_pct), days=_whole(reason.value_days))


def health_reasons_text(reasons: Iterable[HealthReason], lang: Lang = "ru") -> str:
    """A client's reasons in the order given (``reason_order``), ``'; '``-joined; ``''`` for none."""
    return "; ".join(health_reason_text(r, lang) for r in reasons)


@dataclass(frozen=True)
class PaymentReason:
    """Why a payment is unmatched: the ``payments.unmatched_*`` columns of its row."""

    code: str | None
    """``unmatched_reason_code``; None when the payment is matched."""
    amount_code: str | None = None
    """``unmatched_amount_reason_code``: what the amount rule found, when it was tried."""
    payer_inn: object = None
    amount: object = None
    """The payment's amount (``payment_amount``)."""
    invoice_number: object = None
    """``unmatched_invoice_number``: the number not found or ambiguous."""
    invoice_numbers: object = None
    """``unmatched_invoice_numbers``: every number the purpose names, ``', '``-joined."""
    open_invoices: object = None
    """``unmatched_open_invoices``: how many open invoices are for exactly the amount."""


def payment_reason_text(reason: PaymentReason, lang: Lang = "ru") -> str:
    """``счёт № 5 для ИНН 7701234567 не найден; нет открытого счёта ИНН 7701234567 ровно на 700,00``.

    The reason and, when the amount rule was tried, what it found, ``'; '``-joined; ``''`` for a
    matched payment.
    """
    if not isinstance(reason.code, str) or not reason.code:
        return ""
    values = {
        "inn": _text(reason.payer_inn),
        "amount": _amount(reason.amount, lang),
        "number": _text(reason.invoice_number),
        "numbers": _text(reason.invoice_numbers),
        "n": _whole(reason.open_invoices),
    }
    parts = [_phrase("unmatched_", reason.code, lang, **values)]
    if isinstance(reason.amount_code, str) and reason.amount_code:
        parts.append(_phrase("unmatched_", reason.amount_code, lang, **values))
    return "; ".join(parts)


def match_method_label(method: str | None, lang: Lang = "ru") -> str:
    """``по номеру счёта`` / ``по ИНН и сумме`` / ``не разнесён`` for ``payments.match_method``."""
    key = f"match_{method}"
    return t(key, lang) if key in _RU else str(method or "")


def lead_type_label(lead_type: str | None, lang: Lang = "ru") -> str:
    """``звонок`` / ``заявка`` / ``чат`` / ``CRM`` for ``lead_ledger.lead_type``; unknown codes as is."""
    return _phrase("lead_type_", str(lead_type or ""), lang)


def counted_by_label(code: str | None, lang: Lang = "ru") -> str:
    """Why a ledger row is a lead (``lead_ledger.counted_by``) in words; unknown codes as is."""
    return _phrase("counted_by_", str(code or ""), lang)


def leads_by_type_text(counts: Mapping[str, object], lang: Lang = "ru") -> str:
    """``Лиды по типам: звонки — 81 · заявки — 4 · CRM — 4`` from lead type -> count.

    Types in :data:`LEAD_TYPES` order, zeros and missing ones left out; ``''`` when there are none.
    """
    parts = [
        t("leads_type_part", lang, name=t("leads_" + kind, lang), n=integer(counts[kind], lang))
        for kind in LEAD_TYPES
        if (_decimal(counts.get(kind)) or 0) > 0
    ]
    return t("leads_by_type", lang, parts=" · ".join(parts)) if parts else ""


def hold_text(
    code: str,
    lang: Lang = "ru",
    *,
    source: str | None = None,
    account_id: str | None = None,
    covered_to: dt.date | None = None,
    settles_on: dt.date | None = None,
    error: str | None = None,
) -> str:
    """Why a report is held (:class:`reports.readiness.Hold`) in words: ``Кабинет
    yandex_direct/romashka-direct: последняя загрузка не удалась (error 53)``; unknown codes as is."""
    if code == "account_not_covered" and covered_to is not None:
        code = "account_not_covered_to"
    day = settles_on or covered_to
    return _phrase(
        "hold_",
        code,
        lang,
        source=_text(source),
        account=_text(account_id),
        day=MISSING if day is None else fmt_date(day, lang),
        detail=f" ({error})" if error else "",
    )
