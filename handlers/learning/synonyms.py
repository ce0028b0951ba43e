"""Milestone synonyms a deployment adds at run time (同义词 涂装 喷粉), and the parser that knows them.

The parser is built from a template set; a synonym is a word appended to every template's
milestone of that name, and the parser is rebuilt from the widened set. `ReloadableParser` is the
seam: the dispatcher holds it, it delegates to the current parser, and a committed synonym swaps
in a rebuilt one at once — the parser module itself knows nothing of this.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import handlers.understanding.lexicon as lx
from handlers.context import TextParser
from handlers.templates import TemplateSet
from handlers.understanding import Parser
from handlers.understanding.items import ParsedItem
from storage.models import MilestoneSynonym

MAX_WORD_CHARS = 8
"""Longer than any workshop word for a step; a longer one is a phrase, not a synonym."""
_STATUS_WORDS = frozenset(
    lx.DONE_WORDS + lx.START_WORDS + lx.QUALITY_WORDS + lx.EQUIPMENT_WORDS + lx.MATERIAL_WORDS + lx.DELAY_WORDS
    + lx.QUERY_STRONG + lx.QUERY_WEAK
)
_ORDER_LIKE = re.compile(r"^[0-9A-Za-z#\-_./]+$")


@dataclass(frozen=True, slots=True)
class Synonym:
    word: str
    milestone: str


class SynonymRefused(ValueError):
    """The synonym cannot be added; the message says why, in zh-CN."""


def with_synonyms(templates: TemplateSet, synonyms: Iterable[Synonym]) -> TemplateSet:
    """The template set with each synonym added to every milestone of its name."""
    extra: dict[str, list[str]] = {}
    for synonym in synonyms:
        extra.setdefault(synonym.milestone, []).append(synonym.word)
    if not extra:
        return templates
    return TemplateSet(tuple(
        replace(template, milestones=tuple(
            replace(spec, synonyms=spec.synonyms + tuple(w for w in extra.get(spec.name, ()) if w not in spec.words))
            for spec in template.milestones
        ))
        for template in templates.templates
    ))


class ReloadableParser:
    """The parser of the running bot: the configured templates plus the synonyms learned so far."""

    def __init__(
        self,
        templates: TemplateSet,
        synonyms: Sequence[Synonym] = (),
        build: Callable[[TemplateSet], TextParser] = Parser,
    ) -> None:
        self.base = templates
        self._build = build
        self.synonyms: tuple[Synonym, ...] = tuple(synonyms)
        self.current: TextParser = build(with_synonyms(templates, self.synonyms))

    def parse(self, text: str, now: datetime) -> list[ParsedItem]:
        return self.current.parse(text, now)

    def warm_up(self) -> None:
        warm_up = getattr(self.current, "warm_up", None)
        if warm_up is not None:
            warm_up()

    def add(self, synonym: Synonym) -> None:
        """Rebuild the parser with one more synonym (a swap of one reference: messages being parsed
        finish with the parser they started with)."""
        if synonym in self.synonyms:
            return
        synonyms = (*self.synonyms, synonym)
        self.current = self._build(with_synonyms(self.base, synonyms))
        self.synonyms = synonyms


async def stored_synonyms(session: AsyncSession) -> list[Synonym]:
    rows = await session.scalars(select(MilestoneSynonym).order_by(MilestoneSynonym.id))
    return [Synonym(row.word, row.milestone) for row in rows]


def _owner(templates: TemplateSet, word: str) -> str | None:
    """The milestone a word already names (its name or a synonym, in any template), or None."""
    for template in templates.templates:
        for spec in template.milestones:
            if word in spec.words or word.upper() in spec.words or word.lower() in spec.words:
                return spec.name
    return None


def check_synonym(templates: TemplateSet, first: str, second: str) -> Synonym:
    """Which of the two words is the milestone and which the new word; refuses a word that is empty,
    too long, an order-like token, a status word, or already another milestone's word."""
    milestone_word, word = first.strip(), second.strip()
    if not milestone_word or not word:
        raise SynonymRefused("格式：同义词 工序名 新叫法，例如「同义词 涂装 喷粉」。")
    milestone = _owner(templates, milestone_word)
    if milestone is None and _owner(templates, word) is not None:
        milestone_word, word = word, milestone_word  # 「同义词 喷粉 涂装」 means the same
        milestone = _owner(templates, milestone_word)
    if milestone is None:
        names = "、".join(dict.fromkeys(s.name for t in templates.templates for s in t.milestones))
        raise SynonymRefused(f"「{milestone_word}」不是任何模板里的工序（现有工序：{names}），没有添加。")
    if len(word) > MAX_WORD_CHARS:
        raise SynonymRefused(f"「{word}」太长了（{len(word)} 字，最多 {MAX_WORD_CHARS} 字），同义词应是一个词，没有添加。")
    if re.search(r"\s", word):
        raise SynonymRefused(f"「{word}」里有空格，同义词应是一个词，没有添加。")
    if _ORDER_LIKE.match(word):
        raise SynonymRefused(f"「{word}」像订单号或编号，不能作工序的同义词，没有添加。")
    if word in _STATUS_WORDS:
        raise SynonymRefused(f"「{word}」是表示状态或问题的词，不能作工序的同义词，没有添加。")
    owner = _owner(templates, word)
    if owner == milestone:
        return Synonym(word, milestone)
    if owner is not None:
        what = "工序名" if any(word == s.name for t in templates.templates for s in t.milestones) else "同义词"
        raise SynonymRefused(f"「{word}」已经是工序「{owner}」的{what}，不能再指「{milestone}」，没有添加。")
    return Synonym(word, milestone)


async def add_synonym(
    session: AsyncSession, templates: TemplateSet, first: str, second: str, added_by: str, now: datetime
) -> tuple[Synonym, bool]:
    """Check and store a synonym; returns it and whether it is new (False: it was known already)."""
    known = with_synonyms(templates, await stored_synonyms(session))
    synonym = check_synonym(known, first, second)
    if _owner(known, synonym.word) == synonym.milestone:
        return synonym, False
    session.add(MilestoneSynonym(word=synonym.word, milestone=synonym.milestone, added_by=added_by, created_at=now))
    await session.flush()
    return synonym, True
