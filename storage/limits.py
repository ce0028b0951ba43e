"""What a column can hold, enforced before the database is asked, so SQLite and PostgreSQL agree.

SQLite stores a NUL character or a string longer than its VARCHAR; PostgreSQL refuses both (SQLSTATE
22021 / 22001). Left to the database, the same message is recorded on one and fails on the other —
and fails as an error that looks like a fault worth retrying. So every flush goes through
`guard_flush`: NUL characters are dropped from every string, a name column (`info=CLIP`) longer
than its length is clipped, and any other over-long value raises `ValueTooLong`, a permanent
`ValueRejected` that says which column and what limit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import InstrumentedAttribute, Session, object_mapper


class ValueRejected(Exception):
    """The database cannot store a value, and never will: retrying the same work cannot help."""

    def __init__(self, message: str, *, table: str = "", column: str = "") -> None:
        super().__init__(message)
        self.table = table
        self.column = column


class ValueTooLong(ValueRejected):
    def __init__(self, table: str, column: str, limit: int, length: int) -> None:
        super().__init__(f"{table}.{column}: {length} characters, the column holds {limit}", table=table, column=column)
        self.limit = limit
        self.length = length


def column_limit(attribute: InstrumentedAttribute[Any]) -> int:
    """The length of a VARCHAR column attribute such as `Person.display_name`."""
    length = getattr(attribute.property.columns[0].type, "length", None)
    if length is None:
        raise ValueError(f"{attribute} has no length")
    return int(length)


def clean(text: str) -> str:
    """Drop NUL characters and lone surrogates: neither can be stored as UTF-8 text in PostgreSQL."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def fit(attribute: InstrumentedAttribute[Any], value: str) -> str:
    """`value` cleaned and clipped to the column's length (for names, where a prefix still names it)."""
    return clean(value)[: column_limit(attribute)]


def _guard(instance: object) -> None:
    mapper = object_mapper(instance)
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        value = getattr(instance, prop.key, None)
        if not isinstance(value, str) or not isinstance(column.type, String):
            continue
        cleaned = clean(value)
        limit = column.type.length
        if limit is not None and len(cleaned) > limit:
            if not column.info.get("clip"):
                raise ValueTooLong(column.table.name, column.name, limit, len(cleaned))
            cleaned = cleaned[:limit]
        if cleaned != value:
            setattr(instance, prop.key, cleaned)


def guard_flush(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty):
        _guard(instance)


class GuardedSession(Session):
    """The session class every unit of work uses: its flushes go through `guard_flush`."""


event.listen(GuardedSession, "before_flush", guard_flush)
