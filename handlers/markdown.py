"""Splitting long markdown so each part fits one platform message, never cutting a line in half.

The limits themselves belong to each platform's sender, which calls `split_markdown` with them.
"""

from __future__ import annotations


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _wrap(line: str, max_bytes: int) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = _size(char)
        if current and size + width > max_bytes:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return pieces


def split_markdown(text: str, max_bytes: int, max_chars: int | None = None) -> list[str]:
    """Parts of at most `max_bytes` UTF-8 bytes (and at most `max_chars` characters), broken only between
    lines; a single line longer than a whole part is the only thing wrapped (at a character).
    Blank lines at the edges of a part are dropped; empty text gives no parts."""
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one character")
    if max_chars is None:
        max_chars = max_bytes
    text = text.strip("\n")
    if not text.strip():
        return []
    parts: list[str] = []
    current: list[str] = []
    size = chars = 0
    for raw in text.split("\n"):
        for line in _wrap(raw, max_bytes) if _size(raw) > max_bytes else [raw]:
            added = _size(line) + (1 if current else 0)
            added_chars = len(line) + (1 if current else 0)
            if current and (size + added > max_bytes or chars + added_chars > max_chars):
                parts.append("\n".join(current))
                current, size, chars = [], 0, 0
                added, added_chars = _size(line), len(line)
            if not current and not line.strip():
                continue
            current.append(line)
            size += added
            chars += added_chars
    if current:
        parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if part.strip()]
