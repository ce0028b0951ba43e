"""Writing a unit of work's simple changes with plain statements, together, not by the ORM's flush.

An ordinary message changes one milestone and its order, appends one audit event, remembers its
id and marks its inbox row handled. The ORM's flush of the first three rows (a unit of work sorted
by its dependencies, then one statement per row) cost several times the statements themselves, and
on PostgreSQL every statement is a round trip (with the row locks held across each one).

`Writes` collects such plain row writes (an UPDATE of one row's changed columns, an INSERT of one
row) and runs them in order: on PostgreSQL as ONE statement (each write a data-modifying WITH
query, all run by one SELECT that reads their counts: one round trip), elsewhere one after the
other (SQLite has no round trips), on SQLite as statements prepared once and run straight on the
inline connection (`storage.inline_sqlite.Prepared`: SQLAlchemy's execution steps cost several times
SQLite's own work for a one-row write). `pending_writes` takes the session's pending ORM changes into a
`Writes` when they are that simple — an UPDATE of the changed columns of each changed order or
milestone, an INSERT of each new event — and leaves the objects as the flush would (changes
committed to the session's state, the events' ids set once written). Anything else pending (a
deletion, another new object, a changed relationship, a chat or a person) is written by the ORM's
flush at once, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Executable, Table, bindparam, func, insert, inspect, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import NO_VALUE, ColumnProperty, InstanceState, Session
from sqlalchemy.orm.exc import StaleDataError

from storage.database import COMMITS_ALONE, WRITES
from storage import inline_sqlite
from storage.limits import guard_flush
from storage.models import Event, Order, OrderMilestone

_RANK = {Order: 0, OrderMilestone: 1}
_TABLES = {model: model.__table__ for model in (Order, OrderMilestone)}
_EVENTS: Table = Event.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = tuple(
    (prop.key, str(prop.columns[0].key)) for prop in inspect(Event).column_attrs if not prop.columns[0].primary_key
)
"""(attribute, column) of an event's stored values; an attribute never set is left to its default."""

_Shape = tuple[str, str, tuple[str, ...], tuple[str, ...], bool]
"""A write's form: ("update" | "insert", table, WHERE columns, value columns, returns the new id)."""
_SHAPES_KEPT = 512
"""Statements built per form of write (and per series of forms) are kept; a bound on the cache."""


@dataclass(slots=True)
class _Write:
    shape: _Shape
    table: Table
    params: dict[str, Any]


@dataclass
class Writes:
    """Row writes to run together, in the order added (which is also the order their row locks are
    taken in on PostgreSQL): `run` returns, per write, the rows an UPDATE changed, or for an INSERT
    the new row's id when asked for (else 1)."""

    ends_unit: bool = False
    """Nothing follows these writes in their unit of work: on PostgreSQL, when nothing was written
    before them, their one statement commits alone (`storage.database.COMMITS_ALONE`)."""
    _writes: list[_Write] = field(default_factory=list)
    _events: list[tuple[int, Event]] = field(default_factory=list)
    """Events added from the session (index of their INSERT): their ids are set once written."""
    _checked: list[tuple[int, str, int]] = field(default_factory=list)
    """Updates that must change their one row (index, table, row id), as the flush insists."""

    def update(self, table: Table, where: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        """UPDATE `table` SET `values` WHERE each column of `where` equals its value; its index."""
        shape: _Shape = ("update", table.name, tuple(where), tuple(values), False)
        return self._add(_Write(shape, table, {**{f"w_{k}": v for k, v in where.items()}, **values}))

    def insert(self, table: Table, values: Mapping[str, Any], *, returning_id: bool = False) -> int:
        """INSERT one row of `values` into `table` (columns left out take their defaults); its index."""
        shape: _Shape = ("insert", table.name, (), tuple(values), returning_id)
        return self._add(_Write(shape, table, dict(values)))

    def __len__(self) -> int:
        return len(self._writes)

    def _add(self, write: _Write) -> int:
        self._writes.append(write)
        return len(self._writes) - 1

    async def run(self, session: AsyncSession) -> list[int]:
        """Run every write (then none is left); raises `StaleDataError` when a changed order or
        milestone was no longer there, as the flush does."""
        writes, self._writes = self._writes, []
        if not writes:
            return []
        # Core statements on the session's connection: the ORM's execution steps (events, compile
        # state, result adaptation) cost more than they do for plain rows.
        connection = await session.connection()
        if session.bind.dialect.name == "postgresql" and len(writes) > 1:
            statement = _together(tuple(w.shape for w in writes), writes)
            params = {f"p{i}_{key}": value for i, w in enumerate(writes) for key, value in w.params.items()}
            options = {COMMITS_ALONE: True} if self.ends_unit else {}
            row = (await connection.execute(statement, params, execution_options=options)).one()
            results = [int(value or 0) for value in row]
        else:
            results = []
            inline = await inline_sqlite.inline(connection)
            for w in writes:
                prepared = _prepared(w.shape, w.table, connection.dialect) if inline is not None else None
                if inline is not None and prepared is not None:  # SQLite: without SQLAlchemy's execution steps
                    cursor = inline_sqlite.run_prepared(inline, prepared, w.params)
                    results.append(int(cursor.fetchall()[0][0]) if w.shape[4] else cursor.rowcount if w.shape[0] == "update" else 1)
                    continue
                statement = _alone(w.shape, w.table)
                done = await connection.execute(statement, w.params)
                results.append(int(done.scalar_one()) if w.shape[4] else done.rowcount if w.shape[0] == "update" else 1)
        for index, table, row_id in self._checked:
            if results[index] != 1:
                raise StaleDataError(f"{table} row {row_id} was not there to update")
        for index, event in self._events:
            event.id = results[index]
        self._checked, self._events = [], []
        return results


def _statement(shape: _Shape, table: Table, prefix: str) -> Any:
    kind, _name, where, columns, returning_id = shape
    values = {column: bindparam(f"{prefix}{column}", type_=table.c[column].type) for column in columns}
    if kind == "insert":
        statement = insert(table).values(values)
        return statement.returning(table.c.id) if returning_id else statement
    clauses = [table.c[column] == bindparam(f"{prefix}w_{column}", type_=table.c[column].type) for column in where]
    return update(table).where(*clauses).values(values)


_ALONE: dict[_Shape, Executable] = {}
_PREPARED: dict[tuple[_Shape, str], inline_sqlite.Prepared | None] = {}
_TOGETHER: dict[tuple[_Shape, ...], Executable] = {}


def _alone(shape: _Shape, table: Table) -> Executable:
    statement = _ALONE.get(shape)
    if statement is None:
        if len(_ALONE) >= _SHAPES_KEPT:
            _ALONE.clear()
        statement = _ALONE[shape] = _statement(shape, table, "")
    return statement


def _prepared(shape: _Shape, table: Table, dialect: Dialect) -> inline_sqlite.Prepared | None:
    """The statement of `shape` ready to run on SQLite's connection directly (None: elsewhere, or
    it needs SQLAlchemy's execution, e.g. a column default to compute)."""
    key = (shape, dialect.name)
    if key not in _PREPARED:
        if len(_PREPARED) >= _SHAPES_KEPT:
            _PREPARED.clear()
        _PREPARED[key] = inline_sqlite.prepare(_alone(shape, table), dialect)
    return _PREPARED[key]


def _together(shapes: tuple[_Shape, ...], writes: list[_Write]) -> Executable:
    """One SELECT running every write as a data-modifying WITH query (PostgreSQL). Each is read by
    a scalar subquery of the select list, which PostgreSQL evaluates left to right: the writes run
    in the order given (so two messages take their row locks in the same order), each to the end."""
    statement = _TOGETHER.get(shapes)
    if statement is None:
        if len(_TOGETHER) >= _SHAPES_KEPT:
            _TOGETHER.clear()
        counts = []
        for i, w in enumerate(writes):
            dml = _statement(w.shape, w.table, f"p{i}_")
            if not w.shape[4]:
                dml = dml.returning(literal_column("1").label("one"))
            cte = dml.cte(f"w{i}")
            counts.append(
                select(cte.c.id).scalar_subquery() if w.shape[4] else select(func.count()).select_from(cte).scalar_subquery()
            )
        statement = _TOGETHER[shapes] = select(*counts).execution_options(**{WRITES: True})
    return statement


async def pending_writes(session: AsyncSession, writes: Writes | None = None) -> Writes:
    """The session's pending changes taken into `writes` (a new `Writes` when None) to run later
    with `Writes.run`, when they are simple; anything else is flushed now (then nothing is added).
    Nothing is pending in the session afterwards."""
    writes = Writes() if writes is None else writes
    sync = session.sync_session
    with sync.no_autoflush:
        guard_flush(sync, None, None)  # what the flush does first: clean and clip strings, refuse over-long ones
        plan = _plan(sync)
        if plan is None:
            await session.flush()
            return writes
        updates, events = plan
        for state, columns in updates:
            if columns:
                row_id = state.identity[0]
                table = _TABLES[state.class_]
                index = writes.update(table, {"id": row_id}, {column: state.dict[key] for key, column in columns})
                writes._checked.append((index, table.name, row_id))
            # As a flush leaves it: the new values are the committed ones, nothing pending. (The ORM's
            # own step after a flush; no public API marks a row's every change committed at once.)
            state._commit_all(state.dict, sync.identity_map)
        for state in events:
            row = {column: state.dict[key] for key, column in _EVENT_COLUMNS if key in state.dict}
            order = state.dict.get("order")
            if order is not None:
                row["order_id"] = order.id
            event = state.obj()
            writes._events.append((writes.insert(_EVENTS, row, returning_id=True), event))
            sync.expunge(event)
    return writes


async def write_pending(session: AsyncSession) -> None:
    """Write the session's pending changes now: simple ones as plain statements, the rest by a flush."""
    await (await pending_writes(session)).run(session)


def _column(state: InstanceState[Any], key: str) -> str | None:
    """The column an attribute is stored in (None: not a plain column, or the primary key)."""
    found = _COLUMNS.get((state.class_, key), _UNKNOWN)
    if found is _UNKNOWN:
        prop = state.mapper.attrs.get(key)
        found = None if not isinstance(prop, ColumnProperty) or prop.columns[0].primary_key else str(prop.columns[0].key)
        _COLUMNS[(state.class_, key)] = found
    return found  # type: ignore[return-value]


_COLUMNS: dict[tuple[type, str], str | None] = {}
"""`_column`'s answers, by mapped class and attribute (a mapping does not change while running)."""
_UNKNOWN = object()


_Update = tuple[InstanceState[Any], list[tuple[str, str]]]
"""A changed row and its changed (attribute, column) pairs."""


def _plan(sync: Session) -> tuple[list[_Update], list[InstanceState[Any]]] | None:
    """What to write, or None when something pending needs the ORM's flush."""
    if sync.deleted:
        return None
    events = []
    for instance in sync.new:
        state = inspect(instance)
        if state.class_ is not Event or state.dict.get("undone_by") is not None:
            return None
        if any(rel.key in state.dict for rel in state.mapper.relationships if rel.key != "order"):
            return None
        order = state.dict.get("order")
        if order is not None and inspect(order).key is None:
            return None  # a new order: its id comes from the flush
        events.append(state)
    updates = []
    for instance in sync.dirty:
        state = inspect(instance)
        if state.class_ not in _TABLES or state.key is None:
            return None
        columns = []
        for key, before in state.committed_state.items():
            column = _column(state, key)
            if column is None or key not in state.dict:
                return None
            if before is NO_VALUE or before != state.dict[key]:
                columns.append((key, column))
        updates.append((state, columns))
    # A fixed order, as the flush's (an order before its milestones, each by id): two transactions
    # (on PostgreSQL) then take their row locks in the same order and cannot deadlock on them.
    updates.sort(key=lambda update: (_RANK[update[0].class_], update[0].identity))
    events.sort(key=lambda state: state.insert_order or 0)  # as recorded (the flush's order too)
    return updates, events
