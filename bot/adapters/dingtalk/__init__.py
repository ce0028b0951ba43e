"""The DingTalk (钉钉) enterprise-internal app robot: Stream mode or HTTP callback, replies
through the sessionWebhook, proactive group messages through the OpenAPI or a custom robot.

The same file set as every adapter: `inbound` (robot message → `InboundMessage`, and the one
handler path both transports feed), `replying` (answers on the message's channel), `sender` (the
outbox's proactive messages), `api` (the HTTP client: its token cache and its one error mapping),
one module per transport (`callback`, `stream`), and `setup` (wiring into the app).
"""

PLATFORM = "dingtalk"
"""The platform name, defined here once."""
