"""VK Ads (ads.vk.com, ex-myTarget): the API v2 client (tokens, campaigns, daily stats) and its parser."""

from connectors.vk_ads._client import VkAdsClient, obtain_token
from connectors.vk_ads._stats import parse_campaign_day_stats

__all__ = ["VkAdsClient", "obtain_token", "parse_campaign_day_stats"]
