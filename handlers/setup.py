"""Moved to `handlers.config_sync`; kept only until `bot/runtime.py` imports it from there."""

from handlers.config_sync import apply_bindings, sync_templates

__all__ = ["apply_bindings", "sync_templates"]
