"""The DingTalk (钉钉) enterprise-internal app robot: Stream mode or HTTP callback, replies
through the sessionWebhook, proactive group messages through the OpenAPI or a custom robot."""

from bot.adapters.dingtalk.setup import setup_dingtalk

__all__ = ["setup_dingtalk"]
