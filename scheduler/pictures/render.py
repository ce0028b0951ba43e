"""Drawing the charts as PNG with matplotlib's Agg backend (no pyplot, no global state, thread-safe
enough to run in a worker thread while the event loop goes on).

Every text is drawn with the CJK font found by `fonts`; `draw_*` return the figure (the tests read
its texts and bars), `png` encodes it under the platforms' size limit.
"""

from __future__ import annotations

import io
import threading
from datetime import date

import matplotlib

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import PercentFormatter

from scheduler.pictures.charts import CustomerChart, DigestChart, OrderBar, StageBar
from scheduler.pictures.fonts import CjkFont

MAX_PICTURE_BYTES = 2 * 1024 * 1024
"""Kept under the smallest image limit of the chat platforms (2 MB before base64); each sender checks its own."""
DPI = 100
WIDTH_INCHES = 8.0
BAR_INCHES = 0.34

PLANNED_COLOR = "#c9d3e0"
LATE_COLOR = "#d64541"
RISK_COLOR = "#f39c12"
DONE_COLOR = "#2e86c1"
TREND_COLOR = "#27ae60"

PLANNED_LABEL = "计划应到"
ACTUAL_LABEL = "实际完成"
AXIS_LABEL = "里程碑计划进度"
TREND_TITLE = "近{weeks}周准时交付率"
NO_TREND = "近{weeks}周暂无交付"
CUSTOMER_AXIS_LABEL = "生产进度"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(day: date) -> str:
    return f"{day.month:02d}-{day.day:02d}"


def order_label(bar: OrderBar) -> str:
    return f"{bar.order_no} {_short(bar.customer, 6)}"


def status_label(bar: OrderBar) -> str:
    if bar.past_due:
        state = f"已过交期 {bar.days_late}天" if bar.days_late else "已过交期"
    elif bar.days_late:
        state = f"逾期{bar.days_late}个工作日"
    else:
        state = "交期有风险"
    return f"{state} · 交期{md(bar.due_date)}"


def digest_title(chart: DigestChart) -> str:
    return f"每日简报 {md(chart.day)} · 逾期和交期有风险的订单（{len(chart.bars) + chart.more}）"


def more_note(chart: DigestChart) -> str:
    return f"另有 {chart.more} 单未画出，发送「订单列表」查看全部"


def stage_label(bar: StageBar) -> str:
    delivery = f"预计交付 {bar.expected:%Y-%m-%d}"
    return f"{bar.stage} · {delivery}"


def stage_order_label(bar: StageBar) -> str:
    return f"订单 {bar.order_no} · {_short(bar.product, 6)}"


def customer_title(chart: CustomerChart) -> str:
    return f"{chart.customer} · 订单进度 {chart.day:%Y-%m-%d}"


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _style_ticks(axes, font: FontProperties) -> None:  # noqa: ANN001 - a matplotlib Axes
    for label in axes.get_xticklabels() + axes.get_yticklabels():
        label.set_fontproperties(font)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _trend(axes, chart: DigestChart, font: FontProperties, small: FontProperties) -> None:  # noqa: ANN001
    weeks = len(chart.trend)
    points = [(i, p.rate * 100) for i, p in enumerate(chart.trend) if p.rate is not None]
    axes.set_title(TREND_TITLE.format(weeks=weeks), fontproperties=font, loc="left")
    labelled = range(weeks - 1, -1, -2)  # every other week, the latest always: half the tick texts to lay out
    axes.set_xticks(list(reversed(labelled)), [md(chart.trend[i].week_start) for i in reversed(labelled)])
    axes.set_xlim(-0.5, weeks - 0.5)
    axes.set_ylim(0, 115)
    axes.set_yticks((0, 50, 100))
    axes.yaxis.set_major_formatter(PercentFormatter(100))
    if points:
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, marker="o", color=TREND_COLOR, linewidth=2)
        for x, y in points:
            axes.annotate(f"{y:.0f}%", (x, y), textcoords="offset points", xytext=(0, 5), ha="center",
                          fontproperties=small)
    else:
        axes.text(0.5, 0.5, NO_TREND.format(weeks=weeks), transform=axes.transAxes, ha="center", va="center",
                  fontproperties=font, color="#888888")
    axes.grid(axis="y", color="#eeeeee")
    _style_ticks(axes, small)


def bar_label(bar: OrderBar) -> str:
    """What stands left of an order's bar: which order, and how late against which due date."""
    return f"{order_label(bar)} · {status_label(bar)}"


def draw_digest(chart: DigestChart, font: CjkFont) -> Figure:
    """Horizontal bars, most urgent on top: the plan's position today (light) against the actual
    position (red when late, orange when only at risk); a small on-time trend above.

    Text layout is most of the drawing time, so each bar has one text (order, customer, lateness
    and due date) instead of a tick label and a status text, and the axes keep few ticks.
    """
    regular = FontProperties(fname=str(font.path), size=10)
    small = FontProperties(fname=str(font.path), size=8)
    title = FontProperties(fname=str(font.path), size=13, weight="bold")
    rows = max(len(chart.bars), 1)
    # Laid out in inches from the top: title, trend, legend, bars, axis label, note.
    top, trend, gap, bars, bottom = 0.75, 1.3, 0.75, BAR_INCHES * rows, 0.65 + (0.3 if chart.more else 0)
    height = top + trend + gap + bars + bottom
    figure = _figure(height)
    figure.suptitle(digest_title(chart), fontproperties=title, x=0.02, y=1 - 0.15 / height, ha="left", va="top")
    _trend(figure.add_axes((0.08, (bottom + bars + gap) / height, 0.89, trend / height)), chart, regular, small)
    left, width = 0.44, 0.53
    axes = figure.add_axes((left, bottom / height, width, bars / height))
    ys = list(range(len(chart.bars)))
    axes.barh(ys, [b.planned for b in chart.bars], height=0.72, color=PLANNED_COLOR, label=PLANNED_LABEL)
    colors = [LATE_COLOR if (b.days_late or b.past_due) else RISK_COLOR for b in chart.bars]
    axes.barh(ys, [b.actual for b in chart.bars], height=0.36, color=colors, label=ACTUAL_LABEL)
    axes.set_yticks([])
    axes.set_ylim(rows - 0.5, -0.5)
    axes.set_xlim(0, 1)
    axes.set_xticks((0, 0.5, 1))
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel(AXIS_LABEL, fontproperties=regular)
    for y, bar in zip(ys, chart.bars, strict=True):
        axes.text(-0.015, y, bar_label(bar), va="center", ha="right", fontproperties=small,
                  transform=axes.get_yaxis_transform(), clip_on=False)
    axes.legend(prop=small, loc="lower right", frameon=False, ncols=2, bbox_to_anchor=(1.0, 1.0))
    axes.grid(axis="x", color="#eeeeee")
    axes.set_axisbelow(True)
    _style_ticks(axes, small)
    if chart.more:
        figure.text(0.02, 0.08 / height, more_note(chart), fontproperties=small, color="#666666")
    return figure


def draw_customer(chart: CustomerChart, font: CjkFont) -> Figure:
    """One stage bar per order: the share of its plan done, its stage and expected delivery."""
    regular = FontProperties(fname=str(font.path), size=10)
    small = FontProperties(fname=str(font.path), size=8)
    title = FontProperties(fname=str(font.path), size=13, weight="bold")
    rows = max(len(chart.bars), 1)
    figure = _figure(BAR_INCHES * 1.4 * rows + 1.4)
    figure.suptitle(customer_title(chart), fontproperties=title, x=0.02, ha="left")
    axes = figure.add_subplot()
    ys = list(range(len(chart.bars)))
    axes.barh(ys, [1.0] * len(ys), height=0.6, color="#eeeeee")
    axes.barh(ys, [b.done for b in chart.bars], height=0.6,
              color=[RISK_COLOR if b.delayed else DONE_COLOR for b in chart.bars])
    axes.set_yticks(ys, [stage_order_label(b) for b in chart.bars])
    axes.set_ylim(rows - 0.5, -0.5)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel(CUSTOMER_AXIS_LABEL, fontproperties=regular)
    for y, bar in zip(ys, chart.bars, strict=True):
        axes.text(0.01, y, stage_label(bar), va="center", ha="left", fontproperties=small)
    _style_ticks(axes, small)
    figure.subplots_adjust(left=0.24, right=0.97, top=1 - 0.55 / figure.get_figheight(),
                           bottom=0.6 / figure.get_figheight())
    return figure


RASTER_SETTINGS = {"text.hinting": "no_hinting"}
"""Glyph hinting is a third of the text drawing time and makes no difference a phone shows at
this size: glyphs are drawn unhinted (matplotlib reads this at draw time, from its global rcParams)."""
_RASTER_LOCK = threading.Lock()
"""Renders run in worker threads; `rc_context` swaps global settings, so one render at a time."""


def png(figure: Figure, limit: int = MAX_PICTURE_BYTES) -> bytes:
    """The figure as PNG, at a lower resolution if needed to stay under `limit` bytes."""
    dpi = DPI
    while True:
        buffer = io.BytesIO()
        with _RASTER_LOCK, matplotlib.rc_context(RASTER_SETTINGS):
            figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        data = buffer.getvalue()
        if len(data) <= limit or dpi <= 40:
            break
        dpi = int(dpi * 0.75)
    if len(data) > limit:
        raise ValueError(f"picture of {len(data)} bytes exceeds the {limit}-byte limit")
    return data


def render_digest(chart: DigestChart, font: CjkFont) -> bytes:
    return png(draw_digest(chart, font))


def render_customer(chart: CustomerChart, font: CjkFont) -> bytes:
    return png(draw_customer(chart, font))
