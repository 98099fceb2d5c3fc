"""Who the demo agency works with: managers and client templates.

The order matters: the first four templates alone cover every source (Direct, VK, a cabinet
platform, Calltouch, CoMagic, the Calltouch requests journal via API and via inbox, Metrika,
amoCRM, Bitrix24) and a late payer, so a tiny simulation still exercises them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from demo_agency.model import AdChannel, CrmSystem, Manager

AGENCY_NAME = "Демо-агентство «Пиксель»"
AGENCY_LEGAL_NAME = 'ООО "Пиксель"'

MANAGERS: tuple[Manager, ...] = (
    Manager("ivanova", "Мария Иванова", "ivanova@example.ru"),
    Manager("petrov", "Алексей Петров", "petrov@example.ru"),
    Manager("smirnova", "Ольга Смирнова", None),
)

Behaviour = Literal["regular", "late_payer", "churned", "new"]


@dataclass(frozen=True)
class ClientTemplate:
    id: str
    name: str
    register_name: str
    individual: bool  # ИП: 12-digit ИНН
    tax_office: str
    manager_id: str
    timezone: str
    city: str  # Calltouch city slug
    city_ru: str
    segment: Literal["b2b", "b2c"]
    keyword: str  # what they sell, for campaign names
    brand: str
    budgets: tuple[tuple[AdChannel, int], ...]  # base monthly budget per channel, RUB net of VAT
    tracker: Literal["calltouch", "comagic"]
    behaviour: Behaviour = "regular"
    peak_month: int = 4  # seasonality peak
    amplitude: float = 0.2
    forms: float = 0.0  # Calltouch requests per call (0: no requests journal)
    requests_via_inbox: bool = False  # the requests journal is exported by hand into the inbox
    metrika_goal: str | None = None  # the user goal a Metrika counter counts as a lead
    crm: CrmSystem | None = None  # the client's CRM, its system of record for leads
    lead_priority: tuple[str, ...] = ()


# fmt: off
CLIENT_TEMPLATES: tuple[ClientTemplate, ...] = (
    ClientTemplate(
        "romashka", "ООО «Ромашка»", 'ООО "Ромашка"', False, "7707", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Доставка цветов", "Ромашка",
        (("yandex_direct", 240_000), ("vk_ads", 90_000)), "calltouch", peak_month=3, amplitude=0.3,
        forms=0.8, metrika_goal="Заказ оформлен",
    ),
    ClientTemplate(
        "stroymaster", "ООО «СтройМастер»", 'ООО "СтройМастер"', False, "7724", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Стройматериалы оптом", "СтройМастер",
        (("yandex_direct", 320_000), ("google_ads", 70_000)), "calltouch", peak_month=6, amplitude=0.25,
        forms=0.45, crm="amocrm", lead_priority=("amocrm",),
    ),
    ClientTemplate(
        "uralteplo", "ООО «УралТепло»", 'ООО "УралТепло"', False, "6671", "smirnova", "Asia/Yekaterinburg",
        "yekaterinburg", "Екатеринбург", "b2b", "Котельное оборудование", "УралТепло",
        (("yandex_direct", 210_000), ("vk_ads", 60_000)), "comagic", peak_month=10, amplitude=0.35,
        crm="bitrix24_leads",
    ),
    ClientTemplate(
        "vektor", "ООО «Вектор Логистик»", 'ООО "Вектор Логистик"', False, "7714", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Грузоперевозки", "Вектор", (("yandex_direct", 180_000),), "calltouch",
        behaviour="late_payer", peak_month=11, amplitude=0.15, forms=0.35, requests_via_inbox=True,
    ),
    ClientTemplate(
        "dentaplus", "ООО «Дента Плюс»", 'ООО "Дента Плюс"', False, "7728", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Стоматология", "Дента Плюс",
        (("yandex_direct", 260_000), ("vk_ads", 70_000)), "calltouch", behaviour="churned", peak_month=9,
        forms=0.6,
    ),
    ClientTemplate(
        "kuhnidom", "ИП Соколов Андрей Викторович", "ИП Соколов А. В.", True, "5003", "smirnova",
        "Europe/Moscow", "moscow", "Москва", "b2c", "Кухни на заказ", "Кухни Дом",
        (("yandex_direct", 150_000), ("vk_ads", 50_000)), "calltouch", behaviour="new", peak_month=9,
        forms=0.9,
    ),
    ClientTemplate(
        "volgaavto", "ООО «Волга-Авто»", 'ООО "Волга-Авто"', False, "6316", "ivanova", "Europe/Samara",
        "samara", "Самара", "b2c", "Автосервис", "Волга-Авто",
        (("yandex_direct", 160_000), ("vk_ads", 45_000), ("google_ads", 30_000)), "calltouch",
        peak_month=5, amplitude=0.2, forms=0.5, metrika_goal="Онлайн-запись на сервис",
    ),
    ClientTemplate(
        "yurconsult", "ООО «ЮрКонсалт»", 'ООО "ЮрКонсалт"', False, "7710", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Юридические услуги", "ЮрКонсалт", (("yandex_direct", 130_000),),
        "calltouch", peak_month=3, amplitude=0.1, forms=0.7,
    ),
    ClientTemplate(
        "fitnesspro", "ООО «Фитнес Про»", 'ООО "Фитнес Про"', False, "7736", "smirnova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Фитнес-клуб", "Фитнес Про",
        (("yandex_direct", 120_000), ("vk_ads", 80_000)), "calltouch", peak_month=1, amplitude=0.3,
        forms=0.4,
    ),
    ClientTemplate(
        "okna", "ООО «Окна Стандарт»", 'ООО "Окна Стандарт"', False, "7743", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Пластиковые окна", "Окна Стандарт",
        (("yandex_direct", 200_000), ("google_ads", 40_000)), "calltouch", peak_month=8, amplitude=0.3,
        forms=0.85, lead_priority=("calltouch_requests",),
    ),
    ClientTemplate(
        "techsnab", "АО «ТехСнаб»", 'АО "ТехСнаб"', False, "7720", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Промышленное оборудование", "ТехСнаб", (("yandex_direct", 280_000),),
        "calltouch", peak_month=4, amplitude=0.15,
    ),
    ClientTemplate(
        "umka", "ООО «Умка»", 'ООО "Умка"', False, "7729", "smirnova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Частный детский сад", "Умка", (("vk_ads", 90_000),), "calltouch",
        peak_month=8, amplitude=0.25,
    ),
    ClientTemplate(
        "akvaservis", "ООО «Аква Сервис»", 'ООО "Аква Сервис"', False, "7751", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Доставка воды", "Аква Сервис", (("yandex_direct", 110_000),),
        "calltouch", peak_month=7, amplitude=0.3,
    ),
    ClientTemplate(
        "mebelline", "ООО «Мебель Лайн»", 'ООО "Мебель Лайн"', False, "7715", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Мебель для дома", "Мебель Лайн",
        (("yandex_direct", 190_000), ("vk_ads", 60_000)), "calltouch", peak_month=10, forms=0.6,
    ),
    ClientTemplate(
        "klinika", "ООО «Клиника Здоровье»", 'ООО "Клиника Здоровье"', False, "7702", "smirnova",
        "Europe/Moscow", "moscow", "Москва", "b2c", "Медицинский центр", "Здоровье",
        (("yandex_direct", 230_000),), "calltouch", peak_month=2, amplitude=0.15, forms=0.3,
    ),
    ClientTemplate(
        "ekoklining", "ООО «Эко Клининг»", 'ООО "Эко Клининг"', False, "7705", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Клининг офисов", "Эко Клининг", (("yandex_direct", 100_000),),
        "calltouch", peak_month=5, amplitude=0.1,
    ),
)
# fmt: on

MAX_CLIENTS = len(CLIENT_TEMPLATES)


def crm_account_id(template: ClientTemplate) -> str | None:
    """The client's CRM account: the amoCRM subdomain or the Bitrix24 portal host."""
    if template.crm == "amocrm":
        return template.id
    if template.crm == "bitrix24_leads":
        return f"{template.id}.bitrix24.ru"
    return None


BITRIX24_PORTAL = next(crm_account_id(t) or "" for t in CLIENT_TEMPLATES if t.crm == "bitrix24_leads")
"""The one Bitrix24 portal of the demo (its webhook is in the demo's credentials)."""

# Campaign name patterns: (name, Direct campaign type, is search (high CTR/CPC)).
DIRECT_CAMPAIGNS: tuple[tuple[str, str, bool], ...] = (
    ("Поиск | {kw} | {city}", "TEXT_CAMPAIGN", True),
    ("РСЯ | {kw} | {city}", "TEXT_CAMPAIGN", False),
    ("Бренд | {brand}", "TEXT_CAMPAIGN", True),
    ("ЕПК | {kw}", "UNIFIED_CAMPAIGN", False),
    ("Ретаргетинг | РСЯ | посетители 30 дней", "TEXT_CAMPAIGN", False),
    ("Динамические | {kw}", "DYNAMIC_TEXT_CAMPAIGN", True),
    ("Смарт-баннеры | каталог", "SMART_CAMPAIGN", False),
)
VK_CAMPAIGNS: tuple[str, ...] = (
    "VK | {kw} | лид-формы",
    "VK | Ретаргетинг | посетители сайта",
    "VK | {kw} | {city} 25-45",
)
GOOGLE_CAMPAIGNS: tuple[tuple[str, bool], ...] = (
    ("Search | {kw} | {city}", True),
    ("PMax | {brand}", False),
    ("Search | Brand", True),
)

REFERRAL_SITES = ("zoon.ru", "2gis.ru", "yell.ru", "flamp.ru")
SOCIAL_SITES = ("vk.com", "t.me", "ok.ru")
OTHER_CITIES = ("moscow", "saint-petersburg", "krasnodar", "kazan", "nizhny-novgorod")

FIRST_NAMES = (
    "Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Екатерина",
    "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Иван", "Михаил", "Евгений", "Павел",
)  # fmt: skip
MAIL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru")

# Site forms by segment: (subject, share).
FORM_SUBJECTS: dict[str, tuple[str, ...]] = {
    "b2c": ("Заявка с сайта", "Расчёт стоимости (квиз)", "Записаться", "Узнать цену", "Форма в футере"),
    "b2b": ("Запросить КП", "Заявка с сайта", "Получить прайс", "Обратная связь", "Расчёт заказа"),
}
