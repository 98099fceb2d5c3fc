"""Vendor connectors: plain libraries that know bytes and vendor formats, nothing of the pipeline.

One package per vendor (``yandex_direct``, ``vk_ads``, ``calltouch``, ``comagic``,
``cabinet_csv``, ``invoices``); ``connectors.files`` detects which of them a dropped file is,
and ``connectors.errors`` holds the exception tree callers catch.
"""
