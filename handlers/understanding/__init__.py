"""Understanding of chat messages: text in, contract items out (see docs/parsing.md)."""

from .items import ParsedItem
from .parser import Parser

__all__ = ["ParsedItem", "Parser"]
