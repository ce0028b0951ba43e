"""WeCom (企业微信) 智能机器人 adapter: callback or websocket receiving, webhook/app sending."""
