"""WeCom (企业微信) 智能机器人 adapter: callback or websocket receiving, webhook/app sending.

The same file set as every adapter: `inbound` (payload → `InboundMessage`, and the one handler
path both transports feed), `replying` (answers on the message's channel), `sender` (the outbox's
proactive messages), `api` (the HTTP client: its token cache and its one error mapping), one module
per transport (`callback`, `websocket`), and `setup` (wiring into the app).
"""

PLATFORM = "wecom"
"""The platform name, defined here once."""
