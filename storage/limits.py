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


_STRING_COLUMNS: dict[type, tuple[tuple[str, str, str, int | None, bool], ...]] = {}
"""Per mapped class: (attribute, table, column, length, clip) of its string columns (found once)."""


def _string_columns(instance: object) -> tuple[tuple[str, str, str, int | None, bool], ...]:
    kind = type(instance)
    found = _STRING_COLUMNS.get(kind)
    if found is None:
        found = tuple(
            (prop.key, column.table.name, column.name, column.type.length, bool(column.info.get("clip")))
            for prop in object_mapper(instance).column_attrs
            if isinstance((column := prop.columns[0]).type, String)
        )
        _STRING_COLUMNS[kind] = found
    return found


def _guard(instance: object) -> None:
    values = instance.__dict__  # loaded attributes only: an unloaded one was not changed
    for key, table, name, limit, clip in _string_columns(instance):
        value = values.get(key)
        if not isinstance(value, str):
            continue
        cleaned = clean(value)
        if limit is not None and len(cleaned) > limit:
            if not clip:
                raise ValueTooLong(table, name, limit, len(cleaned))
            cleaned = cleaned[:limit]
        if cleaned != value:
            setattr(instance, key, cleaned)


def guard_flush(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty):
        _guard(instance)


class GuardedSession(Session):
    """The session class every unit of work uses: its flushes go through `guard_flush`."""


event.listen(GuardedSession, "before_flush", guard_flush)
