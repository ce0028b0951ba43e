"""The database schema as SQLAlchemy 2.0 declarative models.

The schema itself is owned by the Alembic migrations in `storage/migrations`; a test checks that
these models and the migrated database agree.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CLIP = {"clip": True}
"""`info` of a name column: a longer value is clipped to the column, not refused (see storage.limits)."""

# BigInteger ids on PostgreSQL, INTEGER PRIMARY KEY (rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no offset) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        if value.tzinfo is timezone.utc:
            return value
        return value.astimezone(timezone.utc)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """On SQLite, the stored text in SQLAlchemy's own format ("2026-11-27 08:30:00.000000", every
        value this code writes) is read straight into an aware datetime; anything else goes the usual
        way (the dialect's parser, then `process_result_value`). An ordinary message reads about 50
        of them (its order's steps), and the usual way's three Python steps cost several times
        the parse."""
        usual = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or usual is None:
            return usual
        parse = datetime.fromisoformat

        def process(value: Any) -> datetime | None:
            if value.__class__ is str and len(value) == _SQLITE_DATETIME_LENGTH:
                try:
                    return parse(value + "+00:00")
                except ValueError:
                    pass
            return usual(value)

        return process


_SQLITE_DATETIME_LENGTH = len("2026-11-27 08:30:00.000000")
"""SQLAlchemy's SQLite DATETIME storage format (always with microseconds)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


class OrderStatus(StrEnum):
    INTAKE = "intake"
    REVIEW = "review"
    PLANNED = "planned"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return ORDER_STATUS_LABELS[self]


ORDER_STATUS_LABELS = {
    OrderStatus.INTAKE: "已接单",
    OrderStatus.REVIEW: "评审中",
    OrderStatus.PLANNED: "已排计划，未开工",
    OrderStatus.IN_PRODUCTION: "生产中",
    OrderStatus.SHIPPED: "已发货",
    OrderStatus.ACCEPTED: "已验收",
    OrderStatus.CANCELLED: "已撤销",
}
OPEN_ORDER_STATUSES = (
    OrderStatus.INTAKE,
    OrderStatus.REVIEW,
    OrderStatus.PLANNED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.SHIPPED,
)
CLOSED_ORDER_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.CANCELLED)


class MilestoneStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"pending": "未开始", "in_progress": "进行中", "done": "已完成"}[self.value]


class ChatRole(StrEnum):
    DEPARTMENT = "department"
    MANAGER = "manager"
    CUSTOMER = "customer"


class PersonRole(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    CUSTOMER = "customer"
    ADMIN = "admin"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, info=CLIP)
    created_at: Mapped[datetime]


class StoredTemplate(Base):
    """A milestone template as configured; synced from configuration at start."""

    __tablename__ = "milestone_templates"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[TemplateStep]] = relationship(
        back_populates="template", order_by="TemplateStep.seq", cascade="all, delete-orphan"
    )


class TemplateStep(Base):
    __tablename__ = "milestone_template_steps"
    __table_args__ = (UniqueConstraint("template_id", "seq"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("milestone_templates.id"))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    days: Mapped[int]
    department: Mapped[str | None] = mapped_column(String(100))
    template: Mapped[StoredTemplate] = relationship(back_populates="steps")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int]
    unit: Mapped[str] = mapped_column(String(16), default="台")
    due_date: Mapped[date] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    owner: Mapped[str | None] = mapped_column(String(100), info=CLIP)
    requirements: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OrderStatus] = mapped_column(String(32), default=OrderStatus.PLANNED, index=True)
    template_name: Mapped[str] = mapped_column(String(100))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined")
    milestones: Mapped[list[OrderMilestone]] = relationship(
        back_populates="order", order_by="OrderMilestone.seq", cascade="all, delete-orphan"
    )


class OrderMilestone(Base):
    __tablename__ = "order_milestones"
    __table_args__ = (UniqueConstraint("order_id", "name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    planned_date: Mapped[date] = mapped_column(Date, index=True)
    days: Mapped[int] = mapped_column(default=1)
    status: Mapped[MilestoneStatus] = mapped_column(String(16), default=MilestoneStatus.PENDING)
    percent: Mapped[int | None]
    owner: Mapped[str | None] = mapped_column(String(100), info=CLIP)
    department: Mapped[str | None] = mapped_column(String(100))
    forecast_date: Mapped[date | None] = mapped_column(Date)
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="milestones")


class Chat(Base):
    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200), default="", info=CLIP)
    role: Mapped[ChatRole | None] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    webhook_url: Mapped[str | None] = mapped_column(Text)
    """A group push webhook (a secret: never logged)."""
    misconfigured: Mapped[str | None] = mapped_column(Text)
    """Why sending to this chat last failed for good, or None."""
    created_at: Mapped[datetime]

    customer: Mapped[Customer | None] = relationship(lazy="joined")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="", info=CLIP)
    role: Mapped[PersonRole | None] = mapped_column(String(16))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime]


class EventKind(StrEnum):
    """What an event in the audit log records."""

    ORDER_CREATED = "order_created"
    PROGRESS = "progress"
    CHANGE_REQUESTED = "change_requested"
    CHANGE_APPROVED = "change_approved"
    CHANGE_REJECTED = "change_rejected"
    EXCEPTION_OPENED = "exception_opened"
    EXCEPTION_RESOLVED = "exception_resolved"
    UNDO = "undo"
    REFUSED = "refused"
    CHAT_BOUND = "chat_bound"
    ROLE_GRANTED = "role_granted"
    WEBHOOK_BOUND = "webhook_bound"
    LEDGER_UPDATED = "ledger_updated"
    """Plain fields of an order (product, spec, owner…) changed by a ledger import."""


class Event(Base):
    """The append-only audit log: one row for every record the bot makes.

    `item` is the structured item that was applied; `before` the state it replaced, which undo
    restores. Undo never deletes: it sets `undone_at`/`undone_by` and appends an `undo` event.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[EventKind] = mapped_column(String(32), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    milestone: Mapped[str | None] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    actor_id: Mapped[str] = mapped_column(String(128))
    actor_name: Mapped[str] = mapped_column(String(200), default="", info=CLIP)
    message_id: Mapped[str | None] = mapped_column(String(128))
    raw_text: Mapped[str] = mapped_column(Text, default="")
    item: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    flagged: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("events.id"))

    order: Mapped[Order | None] = relationship()


class ChangeStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ChangeRequest(Base):
    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    op: Mapped[str] = mapped_column(String(8), default="set")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ChangeStatus] = mapped_column(String(16), default=ChangeStatus.OPEN, index=True)
    requested_by: Mapped[str] = mapped_column(String(200), default="", info=CLIP)
    decided_by: Mapped[str | None] = mapped_column(String(200), info=CLIP)
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()


class ExceptionCategory(StrEnum):
    """What kind of trouble an exception is; the parser, the 异常 command and every report use these."""

    QUALITY = "quality"
    MATERIAL = "material"
    EQUIPMENT = "equipment"
    DELAY = "delay"
    OTHER = "other"


class ExceptionSeverity(StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class ExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class OrderException(Base):
    """An exception on an order: something went wrong or is at risk."""

    __tablename__ = "exceptions"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    milestone: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[ExceptionCategory] = mapped_column(String(16))
    severity: Mapped[ExceptionSeverity] = mapped_column(String(16), default=ExceptionSeverity.GENERAL)
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(200), info=CLIP)
    expected_date: Mapped[date | None] = mapped_column(Date)
    delay_days: Mapped[int | None]
    customer_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ExceptionStatus] = mapped_column(String(16), default=ExceptionStatus.OPEN, index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(200), default="", info=CLIP)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()


class ProcessedMessage(Base):
    """Inbound message ids already applied, so a redelivered message is applied once."""

    __tablename__ = "processed_messages"
    __table_args__ = (UniqueConstraint("platform", "message_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128), default="")
    sender_id: Mapped[str] = mapped_column(String(128), default="")
    order_no: Mapped[str | None] = mapped_column(String(64))
    """The order the message was about, for messages from the same sender that name none."""
    reply_text: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[datetime] = mapped_column(index=True)


class InboxStatus(StrEnum):
    RECEIVED = "received"
    """Stored and acknowledged to the platform; not yet handled."""
    DONE = "done"
    """Handled: the records and the reply are stored (in the dispatcher's transaction)."""


class AnswerRoute(StrEnum):
    """How the reply to an inbox message goes out, decided when it is handled."""

    PASSIVE = "passive"
    """In the platform's own response to the message (the transport was still waiting)."""
    CHANNEL = "channel"
    """Later, once, through the stored reply channel (response_url, sessionWebhook, req_id)."""
    OUTBOX = "outbox"
    """Through the outbox to the chat: the channel had expired, failed, or there was none."""
    NONE = "none"
    """Nothing to say (a redelivery, or an empty reply)."""


class InboxMessage(Base):
    """A verified inbound message, stored before the platform is told "received", with the channel
    its reply can take later. Unique on (platform, message_id): a redelivery finds this row."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "message_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    sender_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    chat_name: Mapped[str] = mapped_column(String(200), default="")
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_group: Mapped[bool] = mapped_column(Boolean, default=True)
    channel_kind: Mapped[str | None] = mapped_column(String(32))
    channel_address: Mapped[str | None] = mapped_column(Text)
    """A bearer credential (response_url, sessionWebhook): never logged."""
    channel_expires_at: Mapped[datetime | None]
    status: Mapped[InboxStatus] = mapped_column(String(16), default=InboxStatus.RECEIVED, index=True)
    received_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    mention_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer_route: Mapped[AnswerRoute | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None]
    """When a late answer went out (or was handed to the outbox); None while it is owed."""


class PendingConfirmation(Base):
    """A message the bot was not sure about and asked about; "是"/"对" from the sender applies it."""

    __tablename__ = "pending_confirmations"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "sender_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    sender_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str | None] = mapped_column(String(128))
    raw_text: Mapped[str] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    question: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A proactive message, written in the same transaction as what caused it, delivered later."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    mention_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    attachment_kind: Mapped[str | None] = mapped_column(String(16))
    """"image" or "file" when the message carries one (then `text` is the fallback)."""
    attachment_filename: Mapped[str | None] = mapped_column(String(200))
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    """Loaded only when the message is claimed for delivery."""
    status: Mapped[OutboxStatus] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(128), index=True)
    """The outbox worker instance delivering it now; None when no one is. A claim by an instance
    whose heartbeat stopped (`OutboxWorkerInstance`) is void: the message is due again at once."""


class OutboxWorkerInstance(Base):
    """A running outbox worker: its heartbeat says it is alive, so the messages it claimed are its own."""

    __tablename__ = "outbox_workers"

    instance: Mapped[str] = mapped_column(String(128), primary_key=True)
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime]


class OutboxRoute(Base):
    """One destination chat of the outbox and the instance that delivers to it.

    A chat is delivered by one live instance at a time (its `owner`), so that instance's per-chat
    rate limiter sees every send to the chat and two instances never double its rate. Another
    instance takes the chat over only once the owner's heartbeat has stopped, and then not before
    `resume_at` (one rate-limit period after the owner's last heartbeat, when its sends have aged out).
    """

    __tablename__ = "outbox_routes"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    owner: Mapped[str | None] = mapped_column(String(128))
    resume_at: Mapped[datetime | None]


class JobRun(Base):
    """One run of a scheduled job for one due time; the unique key is the lease that lets only one
    scheduler (of several instances, or after a restart) run it. Written in the same transaction as
    the messages the run enqueued, so a failed run leaves no row and may be run again."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "due_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(index=True)
    instance: Mapped[str] = mapped_column(String(128), default="")
    messages: Mapped[int] = mapped_column(default=0)
    ran_at: Mapped[datetime]


class LinkKey(Base):
    """The signing key of one scope of web links (the managers', or one customer's).

    A link is signed with the configured secret and its scope's key; rotating the key (a new
    random value, the generation counted up) revokes every link of that scope issued before.
    """

    __tablename__ = "link_keys"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), unique=True)
    key: Mapped[str] = mapped_column(String(128))
    """Random; a secret (never logged)."""
    generation: Mapped[int] = mapped_column(default=1)
    rotated_at: Mapped[datetime]


class ExampleSource(StrEnum):
    """How a labelled example was learned from use."""

    CONFIRMATION = "confirmation"
    """The bot asked about its reading and the sender answered 「是」."""
    CORRECTION = "correction"
    """The sender replaced a questioned message, or undid a record and sent a new one."""


class LabelledExample(Base):
    """A message with the items it truly meant, learned from a confirmation or a correction;
    `gendan corpus export` writes these as contract JSONL test cases."""

    __tablename__ = "labelled_examples"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    """What the example was learned from (one example per questioned or undone message)."""
    source: Mapped[ExampleSource] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reference_time: Mapped[datetime]
    """When the message was sent: the `now` its dates are resolved against."""
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """Contract dicts (the keys of `ParsedItem.as_dict`)."""
    replacement_text: Mapped[str | None] = mapped_column(Text)
    """For a correction, the message whose records gave the items."""
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    sender_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class MilestoneSynonym(Base):
    """A word a deployment's people use for a milestone, added by an admin (同义词 涂装 喷粉)."""

    __tablename__ = "milestone_synonyms"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    word: Mapped[str] = mapped_column(String(32), unique=True)
    milestone: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime]


class StoredCalendarDay(Base):
    """One day of an imported year's official schedule (gendan calendar import): off, or a make-up working day."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(32))
    off: Mapped[bool] = mapped_column(Boolean)
    imported_at: Mapped[datetime]
