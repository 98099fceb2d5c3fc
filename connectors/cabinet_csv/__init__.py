"""Campaign statistics CSV exported from an ad cabinet (``Дата;Кампания;Показы;Клики;Расход``)."""

from connectors.cabinet_csv._parse import parse_cabinet_csv, platform_from_filename

__all__ = ["parse_cabinet_csv", "platform_from_filename"]
