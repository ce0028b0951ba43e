"""Milestone templates: the ordered steps an order goes through, with the words people use for them.

Templates come from configuration; `DEFAULT_TEMPLATE` is the one a deployment gets with no
configuration at all (the table in the parse contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class MilestoneRole(StrEnum):
    """What finishing a step means to the order's lifecycle, whatever the template calls the step."""

    SHIPPING = "shipping"
    """The goods left: the order is shipped and waits for acceptance."""
    ACCEPTANCE = "acceptance"
    """The customer accepted: the order is closed. Always a template's last step."""


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    """One step of a template.

    `days` is the default duration in working days, used to lay out an order's plan backwards
    from its due date; `department` names the department group that owns the step; `role`, if
    any, what finishing it means to the order.
    """

    name: str
    synonyms: tuple[str, ...] = ()
    days: int = 1
    department: str | None = None
    role: MilestoneRole | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """The canonical name followed by every synonym."""
        return (self.name, *self.synonyms)


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    milestones: tuple[MilestoneSpec, ...]
    description: str = ""
    unit: str = "台"
    """The unit an order's quantity is counted in when 新建订单 gives a bare number (台, 块, 套…)."""

    def milestone(self, name: str) -> MilestoneSpec | None:
        for spec in self.milestones:
            if spec.name == name:
                return spec
        return None

    def with_role(self, role: MilestoneRole) -> MilestoneSpec | None:
        return next((spec for spec in self.milestones if spec.role == role), None)

    @property
    def milestone_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.milestones)


@dataclass(frozen=True, slots=True)
class TemplateSet:
    """All configured templates; the first one is the default."""

    templates: tuple[Template, ...] = field(default_factory=lambda: (DEFAULT_TEMPLATE,))

    def __post_init__(self) -> None:
        if not self.templates:
            raise ValueError("at least one milestone template is required")

    @property
    def default(self) -> Template:
        return self.templates[0]

    def get(self, name: str | None) -> Template | None:
        if name is None:
            return self.default
        for template in self.templates:
            if template.name == name:
                return template
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(template.name for template in self.templates)


def _spec(
    name: str, synonyms: Sequence[str], days: int, department: str, role: MilestoneRole | None = None
) -> MilestoneSpec:
    return MilestoneSpec(name=name, synonyms=tuple(synonyms), days=days, department=department, role=role)


DEFAULT_TEMPLATE = Template(
    name="标准",
    description="机加工/焊接类整机订单",
    milestones=(
        _spec("排产", ["排期", "排单", "生产计划", "下计划"], 1, "计划部"),
        _spec("领料", ["备料", "齐料", "物料齐套", "领料出库"], 2, "仓库"),
        _spec("下料", ["开料", "切割"], 2, "下料车间"),
        _spec("焊接", ["焊", "电焊", "焊好"], 3, "焊接车间"),
        _spec("涂装", ["喷漆", "喷涂", "油漆", "喷塑"], 2, "涂装车间"),
        _spec("总装", ["装配", "组装"], 3, "总装车间"),
        _spec("质检", ["检验", "品检", "QC", "终检", "出厂检验"], 1, "质检部"),
        _spec("入库", ["成品入库", "进仓"], 1, "仓库"),
        _spec("发货", ["出货", "发运", "装车"], 1, "物流部", MilestoneRole.SHIPPING),
        _spec("验收", ["客户验收", "签收"], 3, "销售部", MilestoneRole.ACCEPTANCE),
    ),
)
