"""Who the demo agency works with: managers and client templates.

The order matters: the first four templates alone cover every source (Direct, VK, a cabinet
platform, Calltouch, CoMagic) and a late payer, so a tiny simulation still exercises them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from demo_agency.model import AdChannel, Manager

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


# fmt: off
CLIENT_TEMPLATES: tuple[ClientTemplate, ...] = (
    ClientTemplate(
        "romashka", "ООО «Ромашка»", 'ООО "Ромашка"', False, "7707", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Доставка цветов", "Ромашка",
        (("yandex_direct", 240_000), ("vk_ads", 90_000)), "calltouch", peak_month=3, amplitude=0.3,
    ),
    ClientTemplate(
        "stroymaster", "ООО «СтройМастер»", 'ООО "СтройМастер"', False, "7724", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Стройматериалы оптом", "СтройМастер",
        (("yandex_direct", 320_000), ("google_ads", 70_000)), "calltouch", peak_month=6, amplitude=0.25,
    ),
    ClientTemplate(
        "uralteplo", "ООО «УралТепло»", 'ООО "УралТепло"', False, "6671", "smirnova", "Asia/Yekaterinburg",
        "yekaterinburg", "Екатеринбург", "b2b", "Котельное оборудование", "УралТепло",
        (("yandex_direct", 210_000), ("vk_ads", 60_000)), "comagic", peak_month=10, amplitude=0.35,
    ),
    ClientTemplate(
        "vektor", "ООО «Вектор Логистик»", 'ООО "Вектор Логистик"', False, "7714", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Грузоперевозки", "Вектор", (("yandex_direct", 180_000),), "calltouch",
        behaviour="late_payer", peak_month=11, amplitude=0.15,
    ),
    ClientTemplate(
        "dentaplus", "ООО «Дента Плюс»", 'ООО "Дента Плюс"', False, "7728", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Стоматология", "Дента Плюс",
        (("yandex_direct", 260_000), ("vk_ads", 70_000)), "calltouch", behaviour="churned", peak_month=9,
    ),
    ClientTemplate(
        "kuhnidom", "ИП Соколов Андрей Викторович", "ИП Соколов А. В.", True, "5003", "smirnova",
        "Europe/Moscow", "moscow", "Москва", "b2c", "Кухни на заказ", "Кухни Дом",
        (("yandex_direct", 150_000), ("vk_ads", 50_000)), "calltouch", behaviour="new", peak_month=9,
    ),
    ClientTemplate(
        "volgaavto", "ООО «Волга-Авто»", 'ООО "Волга-Авто"', False, "6316", "ivanova", "Europe/Samara",
        "samara", "Самара", "b2c", "Автосервис", "Волга-Авто",
        (("yandex_direct", 160_000), ("vk_ads", 45_000), ("google_ads", 30_000)), "calltouch",
        peak_month=5, amplitude=0.2,
    ),
    ClientTemplate(
        "yurconsult", "ООО «ЮрКонсалт»", 'ООО "ЮрКонсалт"', False, "7710", "petrov", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Юридические услуги", "ЮрКонсалт", (("yandex_direct", 130_000),),
        "calltouch", peak_month=3, amplitude=0.1,
    ),
    ClientTemplate(
        "fitnesspro", "ООО «Фитнес Про»", 'ООО "Фитнес Про"', False, "7736", "smirnova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Фитнес-клуб", "Фитнес Про",
        (("yandex_direct", 120_000), ("vk_ads", 80_000)), "calltouch", peak_month=1, amplitude=0.3,
    ),
    ClientTemplate(
        "okna", "ООО «Окна Стандарт»", 'ООО "Окна Стандарт"', False, "7743", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2c", "Пластиковые окна", "Окна Стандарт",
        (("yandex_direct", 200_000), ("google_ads", 40_000)), "calltouch", peak_month=8, amplitude=0.3,
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
        (("yandex_direct", 190_000), ("vk_ads", 60_000)), "calltouch", peak_month=10,
    ),
    ClientTemplate(
        "klinika", "ООО «Клиника Здоровье»", 'ООО "Клиника Здоровье"', False, "7702", "smirnova",
        "Europe/Moscow", "moscow", "Москва", "b2c", "Медицинский центр", "Здоровье",
        (("yandex_direct", 230_000),), "calltouch", peak_month=2, amplitude=0.15,
    ),
    ClientTemplate(
        "ekoklining", "ООО «Эко Клининг»", 'ООО "Эко Клининг"', False, "7705", "ivanova", "Europe/Moscow",
        "moscow", "Москва", "b2b", "Клининг офисов", "Эко Клининг", (("yandex_direct", 100_000),),
        "calltouch", peak_month=5, amplitude=0.1,
    ),
)
# fmt: on

MAX_CLIENTS = len(CLIENT_TEMPLATES)

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
