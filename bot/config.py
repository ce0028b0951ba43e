"""Configuration: one TOML file, validated at start, secrets optionally from the environment.

Lookup order: `--config PATH`, then `$GENDAN_CONFIG`, then built-in defaults (SQLite at
./gendan.db, Asia/Shanghai, the default milestone template). Any scalar setting can be
overridden by an environment variable `GENDAN_<SECTION>_<KEY>` (for example
`GENDAN_WECOM_SECRET`), so secrets need not be written into the file; a list setting takes its
items comma-separated (`GENDAN_CALENDAR_HOLIDAYS=2027-01-01,2027-02-06`).
"""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from handlers.templates import DEFAULT_TEMPLATE, MilestoneRole, MilestoneSpec, Template, TemplateSet
from handlers.workdays import WorkCalendar

CONFIG_ENV = "GENDAN_CONFIG"
ENV_PREFIX = "GENDAN_"


class ConfigError(Exception):
    """A configuration problem, worded for the operator: names the key and what it expected."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GeneralSettings(Section):
    timezone: str = "Asia/Shanghai"
    bot_name: str = "跟单助手"
    max_message_chars: int = Field(default=2000, ge=50, le=20000)
    context_minutes: int = Field(default=10, ge=1, le=1440)
    """How long the order a sender last spoke about stays the assumed order for messages naming none."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, expected an IANA name such as Asia/Shanghai") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DatabaseSettings(Section):
    url: str = "sqlite+aiosqlite:///./gendan.db"
    busy_timeout_ms: int = Field(default=5000, ge=0)
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("sqlite:") or value.startswith("sqlite+pysqlite:"):
            value = "sqlite+aiosqlite:" + value.split(":", 1)[1]
        elif value.startswith(("postgresql:", "postgres:")):
            value = "postgresql+asyncpg:" + value.split(":", 1)[1]
        if not value.startswith(("sqlite+aiosqlite:", "postgresql+asyncpg:")):
            raise ValueError("expected a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)


class CalendarSettings(Section):
    holidays: tuple[date, ...] = ()
    """Company holidays on top of the statutory ones."""
    workdays: tuple[date, ...] = ()
    """Company working days that would otherwise be days off."""

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        """The one working-day calendar the handlers and the scheduler share."""
        return WorkCalendar(self.holidays, self.workdays)


class ScheduleSettings(Section):
    """When proactive messages go out: 5-field crontab schedules in [general] timezone."""

    enabled: bool = True
    daily_digest: str = "30 8 * * *"
    customer_update: str = "0 9 * * mon"
    overdue_scan: str = "0 8-20 * * *"
    milestone_reminder: str = "0 16 * * *"
    escalate_after_days: int = Field(default=3, ge=1, le=60)
    misfire_grace_minutes: int = Field(default=120, ge=1, le=24 * 60)
    digest_max_items: int = Field(default=40, ge=5, le=1000)
    outbox_poll_seconds: int = Field(default=10, ge=1, le=3600)
    outbox_max_attempts: int = Field(default=12, ge=1, le=100)

    @field_validator("daily_digest", "customer_update", "overdue_scan", "milestone_reminder")
    @classmethod
    def _cron(cls, value: str) -> str:
        from scheduler.config import parse_cron

        parse_cron(value, UTC)  # the zone does not change whether the expression is valid
        return value


class PictureSettings(Section):
    """Pictures sent with the daily digest and the weekly customer update."""

    enabled: bool = True
    font_path: str = ""
    """A CJK font file; empty: look one up through matplotlib's font manager."""
    max_bars: int = Field(default=40, ge=5, le=200)


DEFAULT_ROLES = {spec.name: spec.role for spec in DEFAULT_TEMPLATE.milestones if spec.role is not None}
"""A step configured without a role takes the one its name has in the default template (unless
another step states that role, or it would put acceptance before the last step), so templates
written before roles existed keep their shipping and acceptance steps."""


class MilestoneSettings(Section):
    name: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()
    days: int = Field(default=1, ge=0, le=365)
    department: str | None = None
    role: MilestoneRole | None = None


class TemplateSettings(Section):
    name: str = Field(min_length=1)
    description: str = ""
    unit: str = Field(default="台", min_length=1, max_length=4)
    milestones: tuple[MilestoneSettings, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> TemplateSettings:
        names = [m.name for m in self.milestones]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"milestone names repeat: {', '.join(duplicates)}")
        stated = [m.role for m in self.milestones if m.role is not None]
        repeated = sorted({str(r) for r in stated if stated.count(r) > 1})
        if repeated:
            raise ValueError(f"milestone roles repeat: {', '.join(repeated)}")
        if any(m.role == MilestoneRole.ACCEPTANCE for m in self.milestones[:-1]):
            raise ValueError("the acceptance milestone must be the last one")
        return self

    def _roles(self) -> list[MilestoneRole | None]:
        """Each step's role: as stated, else the default template's for its name where that fits."""
        stated = {m.role for m in self.milestones if m.role is not None}
        roles: list[MilestoneRole | None] = []
        for seq, m in enumerate(self.milestones, start=1):
            role = m.role or DEFAULT_ROLES.get(m.name)
            if m.role is None and (role in stated or (role == MilestoneRole.ACCEPTANCE and seq != len(self.milestones))):
                role = None
            roles.append(role)
        return roles

    def to_template(self) -> Template:
        return Template(
            name=self.name,
            description=self.description,
            unit=self.unit,
            milestones=tuple(
                MilestoneSpec(name=m.name, synonyms=m.synonyms, days=m.days, department=m.department, role=role)
                for m, role in zip(self.milestones, self._roles(), strict=True)
            ),
        )


class ChatBinding(Section):
    """A chat bound by configuration instead of the 绑定 command."""

    platform: Literal["wecom", "dingtalk", "local"]
    chat_id: str
    role: Literal["department", "manager", "customer"]
    name: str = ""
    department: str | None = None
    customer: str | None = None
    webhook_url: str | None = None


class PersonBinding(Section):
    platform: Literal["wecom", "dingtalk", "local"]
    user_id: str
    role: Literal["staff", "manager", "customer", "admin"]
    name: str = ""
    customer: str | None = None


class WorkflowSettings(Section):
    """The `[workflow]` section: change freeze and exception severity rules."""

    free_change_days: int = Field(default=3, ge=0, le=365)
    major_delay_days: int = Field(default=3, ge=1, le=365)
    major_when_due_at_risk: bool = True
    major_quality_milestones: tuple[str, ...] = ("验收",)


def _path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError("expected a path starting with /")
    return value


def _base_url(schemes: tuple[str, ...]):  # noqa: ANN202 - a validator factory
    def check(value: str) -> str:
        if not value.startswith(schemes):
            raise ValueError(f"expected a URL starting with {' or '.join(schemes)}")
        return value.rstrip("/")

    return check


CallbackPath = Annotated[str, AfterValidator(_path)]
HttpBase = Annotated[str, AfterValidator(_base_url(("https://", "http://")))]
WsBase = Annotated[str, AfterValidator(_base_url(("wss://", "ws://")))]


class WeComSettings(Section):
    """The WeCom (企业微信) 智能机器人: callback or long-connection mode, group webhooks, app messages."""

    enabled: bool = False
    mode: Literal["callback", "websocket"] = "callback"
    token: str = ""
    """Callback mode: the Token entered in the admin console."""
    encoding_aes_key: str = ""
    """Callback mode: the 43-character EncodingAESKey entered in the admin console."""
    callback_path: CallbackPath = "/wecom/callback"
    bot_id: str = ""
    """Websocket mode: the robot's BotID."""
    secret: str = ""
    """Websocket mode: the robot's Secret."""
    api_base: HttpBase = "https://qyapi.weixin.qq.com"
    ws_url: WsBase = "wss://openws.work.weixin.qq.com"
    corp_id: str = ""
    agent_id: int | None = None
    agent_secret: str = ""
    """corp_id/agent_id/agent_secret: a self-built app, used only for messages to one person."""
    reply_within_seconds: float = Field(default=3.0, ge=0, le=4.5)
    """Answer in the response if done within this; otherwise later via response_url / req_id, or the outbox."""
    webhook_per_minute: int = Field(default=20, ge=1, le=20)

    @model_validator(mode="after")
    def _credentials_for_mode(self) -> WeComSettings:
        if not self.enabled:
            return self
        if self.mode == "callback":
            if not self.token:
                raise ValueError("wecom.token is required in callback mode")
            if len(self.encoding_aes_key) != 43:
                raise ValueError("wecom.encoding_aes_key must be the 43-character key from the admin console")
        elif not (self.bot_id and self.secret):
            raise ValueError("wecom.bot_id and wecom.secret are required in websocket mode")
        if self.agent_secret and not (self.corp_id and self.agent_id):
            raise ValueError("wecom.agent_secret needs wecom.corp_id and wecom.agent_id")
        return self

    @property
    def app_messages_enabled(self) -> bool:
        return bool(self.corp_id and self.agent_id and self.agent_secret)


class DingTalkSettings(Section):
    """The DingTalk enterprise-internal app robot (Stream mode or HTTP callback)."""

    enabled: bool = False
    mode: Literal["stream", "http"] = "stream"
    client_id: str = ""
    """AppKey / Client ID of the enterprise-internal app."""
    client_secret: SecretStr = SecretStr("")
    """AppSecret / Client Secret; also the key that signs HTTP callbacks."""
    robot_code: str = ""
    """The app robot's robotCode; empty means the same as client_id (true for internal apps)."""
    callback_path: CallbackPath = "/dingtalk/callback"
    api_base: HttpBase = "https://api.dingtalk.com"
    """OpenAPI and Stream gateway (connections/open) base URL."""
    oapi_base: HttpBase = "https://oapi.dingtalk.com"
    """Base URL of custom-robot webhooks (/robot/send)."""
    rate_limit_per_minute: int = Field(default=20, ge=1, le=600)
    """Messages per minute the bot sends to one group (DingTalk throttles robots at 20)."""
    retry_attempts: int = Field(default=4, ge=1, le=20)
    retry_base_seconds: float = Field(default=1.0, gt=0, le=60)

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> DingTalkSettings:
        if self.enabled and not (self.client_id and self.client_secret.get_secret_value()):
            raise ValueError("client_id and client_secret are required when DingTalk is enabled")
        return self

    @property
    def robot(self) -> str:
        return self.robot_code or self.client_id


class WebSettings(Section):
    """The manager board and the customer portal, served by `gendan run` beside the platform callbacks."""

    enabled: bool = True
    public_url: str = ""
    """The address people open (behind the reverse proxy); empty means http://[server] host:port."""
    link_secret: SecretStr = SecretStr("")
    """Signs every link together with the scope's key; set GENDAN_WEB_LINK_SECRET."""
    manager_link_hours: int = Field(default=12, ge=1, le=24 * 90)
    customer_link_hours: int = Field(default=8 * 24, ge=1, le=24 * 366)
    """Long enough that last week's update still opens until the next one arrives."""
    page_size: int = Field(default=100, ge=10, le=1000)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("expected a URL starting with https:// or http://")
        return value.rstrip("/")


class Settings(Section):
    general: GeneralSettings = GeneralSettings()
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    """Its own instance per Settings: the work calendar it holds learns imported years at run time."""
    schedule: ScheduleSettings = ScheduleSettings()
    pictures: PictureSettings = PictureSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    templates: tuple[TemplateSettings, ...] = ()
    chats: tuple[ChatBinding, ...] = ()
    people: tuple[PersonBinding, ...] = ()
    wecom: WeComSettings = WeComSettings()
    dingtalk: DingTalkSettings = DingTalkSettings()
    web: WebSettings = WebSettings()

    @model_validator(mode="after")
    def _unique_templates(self) -> Settings:
        names = [t.name for t in self.templates]
        if len(names) != len(set(names)):
            raise ValueError("template names must be unique")
        return self

    @property
    def public_url(self) -> str:
        """Where the web pages are opened: `[web] public_url`, else this server's own address."""
        return self.web.public_url or f"http://{self.server.host}:{self.server.port}"

    @property
    def template_set(self) -> TemplateSet:
        if not self.templates:
            return TemplateSet((DEFAULT_TEMPLATE,))
        return TemplateSet(tuple(t.to_template() for t in self.templates))


def _env_value(annotation: Any, raw: str) -> Any:
    """A list setting's environment form is comma-separated (GENDAN_CALENDAR_HOLIDAYS=2027-01-01,2027-02-06)."""
    if get_origin(annotation) in (tuple, list):
        return [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()]
    return raw


def _apply_env(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Overlay `GENDAN_<SECTION>_<KEY>` variables onto the scalar keys of each section."""
    for section_name, field_info in Settings.model_fields.items():
        annotation = field_info.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, Section)):
            continue
        for key in annotation.model_fields:
            env_name = f"{ENV_PREFIX}{section_name}_{key}".upper()
            if env_name in environ:
                data.setdefault(section_name, {})
                data[section_name][key] = _env_value(annotation.model_fields[key].annotation, environ[env_name])
    return data


def _describe(error: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    return f"{location}: {message}"


def parse_settings(data: dict[str, Any], environ: dict[str, str] | None = None) -> Settings:
    data = _apply_env(dict(data), dict(os.environ if environ is None else environ))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"配置有误：{problems}") from None


def load_settings(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    if path is None:
        path = env.get(CONFIG_ENV) or None
    if path is None:
        return parse_settings({}, env)
    config_path = Path(path)
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"找不到配置文件：{config_path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {config_path} 不是有效的 TOML：{exc}") from None
    return parse_settings(data, env)
