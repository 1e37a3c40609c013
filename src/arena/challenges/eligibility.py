"""Who may bid (揭榜条件), explained rule by rule: pure functions, no database.

`check_eligibility(rules, cadre, now)` answers for every rule — rank range, fields, age limit,
units and the bid window — whether the cadre passes and a sentence saying why, in the user's
language ("本榜要求职级副科级至正处级，你的职级为正科级"). The challenge page shows the whole list;
the bids area calls the same function to refuse an ineligible bid with the rule that failed.

Decisions the sentences rely on:
- ranks compare by their position in `Rank` (科员 lowest); both ends of the range are included;
- age is in whole years (周岁) on the window's closing day in Asia/Shanghai (today when the window
  has no end), and must not exceed the limit;
- an eligible unit includes all its sub-units: a cadre of 姜庄镇 may bid on a challenge open to
  青山县, so the caller passes the cadre's unit together with its ancestors;
- fields: the cadre needs at least one of the challenge's fields;
- frontline (仅限基层一线干部): the cadre must be marked 基层一线 (Cadre.frontline, kept by the
  admin); the rule is listed only for a challenge that sets it — most do not;
- an empty rule (no range, no fields, no units, no limit) lets everyone pass.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from arena.challenges.enums import ChallengeStatus
from arena.challenges.phase import PHASE_LABELS, PublicPhase
from arena.clock import to_display
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.units.ranks import RANK_LABELS, Rank

if TYPE_CHECKING:  # for the annotation only: these rules run on any object with its fields
    from arena.challenges.models import Challenge


class Rule(enum.StrEnum):
    RANK = "rank"
    FIELD = "field"
    AGE = "age"
    UNIT = "unit"
    FRONTLINE = "frontline"
    WINDOW = "window"


RULE_LABELS: dict[Rule, str] = {
    Rule.RANK: lazy("职级"),
    Rule.FIELD: lazy("领域"),
    Rule.AGE: lazy("年龄"),
    Rule.UNIT: lazy("单位"),
    Rule.FRONTLINE: lazy("基层一线"),
    Rule.WINDOW: lazy("揭榜时间"),
}


class Reader(enum.StrEnum):
    """Who reads the explanations: the cadre about themselves ("你的职级为…"), or the organizer
    about a bidder during qualification ("揭榜人职级为…")."""

    BIDDER = "bidder"
    ORGANIZER = "organizer"


WORDING: dict[Reader, dict[str, str]] = {
    Reader.BIDDER: {
        "rank_unknown": lazy("本榜要求职级%(range)s，你的职级未登记或无法识别"),
        "rank": lazy("本榜要求职级%(range)s，你的职级为%(rank)s"),
        "fields_none": lazy("本榜面向%(fields)s领域，你尚未登记所属领域"),
        "fields": lazy("本榜面向%(fields)s领域，你的领域为%(mine)s"),
        "age_today": lazy("本榜要求年龄不超过%(limit)s周岁，你今天（%(day)s）%(age)s周岁"),
        "age": lazy("本榜要求截至揭榜截止日（%(day)s）年龄不超过%(limit)s周岁，届时你%(age)s周岁"),
        "units": lazy("本榜面向%(units)s（含下属单位）的干部，你所在单位为%(unit)s"),
        "frontline": lazy("本榜仅限基层一线干部，你已登记为基层一线干部"),
        "frontline_not": lazy("本榜仅限基层一线干部，你未登记为基层一线干部（如有误请联系系统管理员）"),
    },
    Reader.ORGANIZER: {
        "rank_unknown": lazy("本榜要求职级%(range)s，揭榜人职级未登记或无法识别"),
        "rank": lazy("本榜要求职级%(range)s，揭榜人职级为%(rank)s"),
        "fields_none": lazy("本榜面向%(fields)s领域，揭榜人未登记所属领域"),
        "fields": lazy("本榜面向%(fields)s领域，揭榜人领域为%(mine)s"),
        "age_today": lazy("本榜要求年龄不超过%(limit)s周岁，揭榜人当日（%(day)s）%(age)s周岁"),
        "age": lazy("本榜要求截至揭榜截止日（%(day)s）年龄不超过%(limit)s周岁，届时揭榜人%(age)s周岁"),
        "units": lazy("本榜面向%(units)s（含下属单位）的干部，揭榜人所在单位为%(unit)s"),
        "frontline": lazy("本榜仅限基层一线干部，揭榜人已登记为基层一线干部"),
        "frontline_not": lazy("本榜仅限基层一线干部，揭榜人未登记为基层一线干部"),
    },
}

LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class Named:
    """An id with the name a person reads (a unit or a field)."""

    id: int
    name: str


@dataclass(frozen=True)
class ChallengeRules:
    """What a challenge asks of a bidder, as plain data."""

    status: str
    rank_min: str | None = None
    rank_max: str | None = None
    age_limit: int | None = None
    require_frontline: bool = False
    fields: tuple[Named, ...] = ()
    units: tuple[Named, ...] = ()
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    @classmethod
    def from_challenge(cls, challenge: Challenge) -> ChallengeRules:
        """Needs `eligible_fields` and `eligible_units` loaded (they are lazy="raise")."""
        return cls(
            status=challenge.status, rank_min=challenge.rank_min, rank_max=challenge.rank_max,
            age_limit=challenge.age_limit, require_frontline=challenge.require_frontline,
            fields=tuple(Named(f.id, f.name) for f in challenge.eligible_fields),
            units=tuple(Named(u.id, u.name) for u in challenge.eligible_units),
            opens_at=challenge.bid_opens_at, closes_at=challenge.bid_closes_at,
        )


@dataclass(frozen=True)
class CadreFacts:
    """What the rules look at in a cadre. `unit_chain` is the cadre's unit first, then its
    parent, up to the root (sub-units inherit their ancestors' eligibility)."""

    rank: str
    birth_date: date
    fields: tuple[Named, ...]
    unit_chain: tuple[Named, ...]
    frontline: bool = False

    @property
    def unit_name(self) -> str:
        return self.unit_chain[0].name if self.unit_chain else ""


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    passed: bool
    explanation: str

    @property
    def label(self) -> str:
        return _(RULE_LABELS[self.rule])


@dataclass(frozen=True)
class Verdict:
    results: tuple[RuleResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    def result(self, rule: Rule) -> RuleResult:
        return next(r for r in self.results if r.rule is rule)


def check_eligibility(rules: ChallengeRules, cadre: CadreFacts, now: datetime,
                      reader: Reader = Reader.BIDDER) -> Verdict:
    """Every rule, in the order the announcement lists them; the window last. The frontline
    rule only when the challenge sets it."""
    return Verdict((
        check_rank(rules, cadre, reader),
        check_fields(rules, cadre, reader),
        check_age(rules, cadre, now, reader),
        check_units(rules, cadre, reader),
        *((check_frontline(rules, cadre, reader),) if rules.require_frontline else ()),
        check_window(rules, now, reader),
    ))


def said(reader: Reader, key: str, values: dict[str, object]) -> str:
    return _(WORDING[reader][key]) % values


# --- rank -------------------------------------------------------------------------------------

def rank_label(value: str | None) -> str:
    rank = parse_rank(value)
    return _(RANK_LABELS[rank]) if rank else (value or "")


def parse_rank(value: str | None) -> Rank | None:
    try:
        return Rank(value) if value else None
    except ValueError:
        return None


def rank_range_text(rank_min: str | None, rank_max: str | None) -> str:
    """"副科级至正处级", "不低于副科级", "不高于正处级" or "" when unlimited."""
    low, high = parse_rank(rank_min), parse_rank(rank_max)
    if low and high:
        return _("%(low)s至%(high)s") % {"low": rank_label(rank_min), "high": rank_label(rank_max)}
    if low:
        return _("不低于%(low)s") % {"low": rank_label(rank_min)}
    if high:
        return _("不高于%(high)s") % {"high": rank_label(rank_max)}
    return ""


def check_rank(rules: ChallengeRules, cadre: CadreFacts, reader: Reader = Reader.BIDDER) -> RuleResult:
    low, high = parse_rank(rules.rank_min), parse_rank(rules.rank_max)
    if not low and not high:
        return RuleResult(Rule.RANK, True, _("本榜不限职级"))
    mine = parse_rank(cadre.rank)
    wanted = rank_range_text(rules.rank_min, rules.rank_max)
    if mine is None:
        return RuleResult(Rule.RANK, False, said(reader, "rank_unknown", {"range": wanted}))
    passed = (low is None or mine.level >= low.level) and (high is None or mine.level <= high.level)
    text = said(reader, "rank", {"range": wanted, "rank": rank_label(cadre.rank)})
    return RuleResult(Rule.RANK, passed, text)


# --- fields -----------------------------------------------------------------------------------

def names(items: Iterable[Named]) -> str:
    return LIST_SEPARATOR.join(item.name for item in items)


def check_fields(rules: ChallengeRules, cadre: CadreFacts, reader: Reader = Reader.BIDDER) -> RuleResult:
    if not rules.fields:
        return RuleResult(Rule.FIELD, True, _("本榜不限领域"))
    wanted = {f.id for f in rules.fields}
    passed = any(f.id in wanted for f in cadre.fields)
    if not cadre.fields:
        text = said(reader, "fields_none", {"fields": names(rules.fields)})
    else:
        text = said(reader, "fields", {"fields": names(rules.fields), "mine": names(cadre.fields)})
    return RuleResult(Rule.FIELD, passed, text)


# --- age --------------------------------------------------------------------------------------

def age_on(birth_date: date, day: date) -> int:
    """Whole years (周岁) on `day`; someone born on 29 February turns a year older on 1 March."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_reference_day(rules: ChallengeRules, now: datetime) -> date:
    """The window's closing day in Asia/Shanghai, or today when the window has no end."""
    moment = to_display(rules.closes_at or now)
    assert moment is not None
    return moment.date()


def check_age(rules: ChallengeRules, cadre: CadreFacts, now: datetime,
              reader: Reader = Reader.BIDDER) -> RuleResult:
    if rules.age_limit is None:
        return RuleResult(Rule.AGE, True, _("本榜不限年龄"))
    day = age_reference_day(rules, now)
    age = age_on(cadre.birth_date, day)
    values = {"limit": rules.age_limit, "day": day.isoformat(), "age": age}
    text = said(reader, "age_today" if rules.closes_at is None else "age", values)
    return RuleResult(Rule.AGE, age <= rules.age_limit, text)


# --- units ------------------------------------------------------------------------------------

def check_units(rules: ChallengeRules, cadre: CadreFacts, reader: Reader = Reader.BIDDER) -> RuleResult:
    if not rules.units:
        return RuleResult(Rule.UNIT, True, _("本榜不限单位"))
    wanted = {u.id for u in rules.units}
    passed = any(u.id in wanted for u in cadre.unit_chain)
    text = said(reader, "units", {"units": names(rules.units), "unit": cadre.unit_name or _("（未登记）")})
    return RuleResult(Rule.UNIT, passed, text)


# --- frontline --------------------------------------------------------------------------------

def check_frontline(rules: ChallengeRules, cadre: CadreFacts, reader: Reader = Reader.BIDDER) -> RuleResult:
    if not rules.require_frontline:
        return RuleResult(Rule.FRONTLINE, True, _("本榜不限是否基层一线"))
    return RuleResult(Rule.FRONTLINE, cadre.frontline, said(reader, "frontline" if cadre.frontline else "frontline_not",
                                                             {}))


# --- window -----------------------------------------------------------------------------------

def window_phase(rules: ChallengeRules, now: datetime) -> PublicPhase | None:
    """The phase when the challenge is published (upcoming/open/closed); None otherwise."""
    if rules.status != ChallengeStatus.PUBLISHED:
        return None
    if rules.opens_at and now < rules.opens_at:
        return PublicPhase.UPCOMING
    if rules.closes_at and now >= rules.closes_at:
        return PublicPhase.CLOSED
    return PublicPhase.OPEN


def _moment(value: datetime | None) -> str:
    shown = to_display(value)
    return shown.strftime("%Y-%m-%d %H:%M") if shown else ""


def check_window(rules: ChallengeRules, now: datetime, reader: Reader = Reader.BIDDER) -> RuleResult:
    phase = window_phase(rules, now)
    values = {"opens": _moment(rules.opens_at), "closes": _moment(rules.closes_at), "at": _moment(now)}
    if phase is PublicPhase.OPEN and reader is Reader.ORGANIZER:
        return RuleResult(Rule.WINDOW, True, _("于%(at)s在揭榜期内提交") % values)
    if phase is PublicPhase.OPEN:
        if rules.closes_at:
            return RuleResult(Rule.WINDOW, True, _("揭榜截止时间为%(closes)s，现在可以揭榜") % values)
        return RuleResult(Rule.WINDOW, True, _("现在可以揭榜"))
    if phase is PublicPhase.UPCOMING:
        return RuleResult(Rule.WINDOW, False, _("揭榜将于%(opens)s开始，现在还不能揭榜") % values)
    if phase is PublicPhase.CLOSED:
        return RuleResult(Rule.WINDOW, False, _("揭榜已于%(closes)s截止") % values)
    label = _(PHASE_LABELS[_status_phase(rules.status)])
    return RuleResult(Rule.WINDOW, False, _("本榜当前不接受揭榜（%(phase)s）") % {"phase": label})


def _status_phase(status: str) -> PublicPhase:
    try:
        return PublicPhase(status)
    except ValueError:
        return PublicPhase.CLOSED  # qualifying: bids are closed


def unit_chain_from(units: Sequence[tuple[int, int | None, str]], unit_id: int) -> tuple[Named, ...]:
    """The unit and its ancestors from (id, parent_id, name) rows; stops on a cycle."""
    by_id = {uid: (parent, name) for uid, parent, name in units}
    chain: list[Named] = []
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current in by_id and current not in seen:
        seen.add(current)
        parent, name = by_id[current]
        chain.append(Named(current, name))
        current = parent
    return tuple(chain)
