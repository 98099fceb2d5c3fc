"""VK Ads (ads.vk.com, ex-myTarget): Statistics API v2 bodies."""

from connectors.vk_ads._stats import parse_campaign_day_stats

__all__ = ["parse_campaign_day_stats"]
