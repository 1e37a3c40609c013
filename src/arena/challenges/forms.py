"""Reading the organizer's challenge form into a `ChallengeDraft`, with messages per field.

A draft saves with parts missing (the publish checklist asks for completeness later), but what
is there must be well-formed: numbers in range, dates in order, no HTML, limits on length.
Repeating rows (rubric criteria, milestones, checkpoints, fault-tolerance cases) are posted
as `criteria-0-name`, `criteria-0-points`, … and rows left entirely blank are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from arena.challenges.models import Aggregation, ChallengeMode
from arena.clock import DISPLAY_TZ
from arena.i18n import gettext as _
from arena.units.models import Rank
from arena.web.forms import Form

TITLE_MAX = 200
TEXT_MAX = 20000
MAX_ROWS = 50
ROW_KEY = re.compile(r"^(criteria|acceptance|milestones|checkpoints|tolerance)-(\d{1,3})-(\w+)$")
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


@dataclass
class CriterionRow:
    name: str = ""
    points: str = ""
    guidance: str = ""

    @property
    def points_value(self) -> Decimal | None:
        try:
            value = Decimal(self.points.strip())
        except ArithmeticError:
            return None
        return value if value.is_finite() else None


@dataclass
class MilestoneRow:
    title: str = ""
    due_month: str = ""
    deliverable: str = ""


@dataclass
class CheckpointRow:
    title: str = ""
    due_on: str = ""


@dataclass
class ToleranceRow:
    description: str = ""


@dataclass
class ChallengeDraft:
    """Everything the draft form holds, cleaned; None where the organizer left it empty."""

    title: str = ""
    background: str = ""
    goals: str = ""
    deliverables: str = ""
    field_id: int | None = None
    owner_unit_id: int | None = None
    budget: Decimal | None = None
    reward: str = ""
    duration_months: int | None = None
    mode: str = ChallengeMode.SINGLE.value
    horse_race_teams: int | None = None
    rank_min: str | None = None
    rank_max: str | None = None
    age_limit: int | None = None
    require_frontline: bool = False  # 仅限基层一线干部
    eligible_field_ids: list[int] = field(default_factory=list)
    eligible_unit_ids: list[int] = field(default_factory=list)
    bid_opens_at: datetime | None = None
    bid_closes_at: datetime | None = None
    pass_score: Decimal | None = None
    aggregation: str = Aggregation.TRIMMED_MEAN.value
    blind_review: bool = True
    panel_size: int = 5
    panel_reserves: int = 2
    grade_excellent: Decimal = Decimal(90)
    grade_good: Decimal = Decimal(80)
    grade_qualified: Decimal = Decimal(60)
    criteria: list[CriterionRow] = field(default_factory=list)
    acceptance: list[CriterionRow] = field(default_factory=list)  # 验收评分细则
    milestones: list[MilestoneRow] = field(default_factory=list)
    checkpoints: list[CheckpointRow] = field(default_factory=list)
    tolerance: list[ToleranceRow] = field(default_factory=list)


def rows(form: Form, group: str, cls: type[Any], *, keep_blank: bool = False) -> list[Any]:
    """The group's posted rows in index order; rows left blank are dropped, except for the
    rubric editor (`keep_blank`), where a blank row is one the organizer has yet to fill."""
    found: dict[int, dict[str, str]] = {}
    for key in form.data:
        match = ROW_KEY.match(key)
        if match and match.group(1) == group:
            found.setdefault(int(match.group(2)), {})[match.group(3)] = form.raw(key).strip()
    names = set(cls.__dataclass_fields__)
    result = []
    for index in sorted(found)[:MAX_ROWS]:
        values = {k: v for k, v in found[index].items() if k in names}
        if keep_blank or any(values.values()):
            result.append(cls(**values))
    return result


def local_datetime(form: Form, name: str, label: str) -> datetime | None:
    """A `datetime-local` value, read as Asia/Shanghai time and returned in UTC."""
    raw = form.raw(name).strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        form.error(name, _("{label}不是有效的日期时间（格式：2026-12-31 17:00）").format(label=label))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=DISPLAY_TZ)
    if not 2000 <= moment.year <= 2100:
        form.error(name, _("{label}的年份不合理").format(label=label))
        return None
    return moment


def _ids(form: Form, name: str) -> list[int]:
    raw = form.values(name)
    ids = [int(v) for v in raw if v.isdigit() and len(v) < 12]
    if len(ids) != len(raw):
        form.error(name, _("选项无效"))
    return ids


def _optional_id(form: Form, name: str) -> int | None:
    raw = form.raw(name).strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) >= 12:
        form.error(name, _("选项无效"))
        return None
    return int(raw)


def plain_text(form: Form, name: str, value: str) -> str:
    if HTML_TAG.search(value):
        form.error(name, _("请不要输入 HTML 标记（如 <script>），纯文本即可"))
    return value


def _texts(form: Form, draft: ChallengeDraft) -> None:
    draft.title = plain_text(form, "title", form.text("title", _("榜单名称"), max_length=TITLE_MAX))
    for name, label in (("background", _("项目背景")), ("goals", _("目标与考核指标")),
                        ("deliverables", _("交付成果")), ("reward", _("激励措施"))):
        setattr(draft, name, plain_text(form, name, form.text(name, label, required=False, max_length=TEXT_MAX)))


def _numbers(form: Form, draft: ChallengeDraft) -> None:
    draft.budget = form.decimal("budget", _("经费预算"), required=False, minimum=Decimal(0),
                                maximum=Decimal("9999999999"))
    draft.duration_months = form.integer("duration_months", _("实施周期"), required=False, minimum=1, maximum=120)
    modes = [m.value for m in ChallengeMode]
    draft.mode = form.choice("mode", _("揭榜方式"), modes, required=False) or ChallengeMode.SINGLE.value
    teams = form.integer("horse_race_teams", _("赛马团队数"), required=False, minimum=2, maximum=10)
    draft.horse_race_teams = teams if draft.mode == ChallengeMode.HORSE_RACE.value else None
    draft.pass_score = form.decimal("pass_score", _("合格线"), required=False, minimum=Decimal(0),
                                    maximum=Decimal(100))
    draft.aggregation = form.choice("aggregation", _("汇总规则"), [a.value for a in Aggregation], required=False) \
        or Aggregation.TRIMMED_MEAN.value
    draft.blind_review = form.boolean("blind_review")
    draft.panel_size = form.integer("panel_size", _("评审专家人数"), minimum=3, maximum=15) or 5
    if draft.panel_size % 2 == 0:
        form.error("panel_size", _("评审专家人数须为奇数"))
    draft.panel_reserves = form.integer("panel_reserves", _("候补专家人数"), minimum=0, maximum=10) or 0
    grades = [form.decimal(name, label, minimum=Decimal(0), maximum=Decimal(100)) for name, label in
              (("grade_excellent", _("优秀线")), ("grade_good", _("良好线")), ("grade_qualified", _("合格线（验收）")))]
    if all(g is not None for g in grades):
        excellent, good, qualified = (g for g in grades if g is not None)
        draft.grade_excellent, draft.grade_good, draft.grade_qualified = excellent, good, qualified
        if not excellent > good > qualified:
            form.error("grade_good", _("验收等级线须满足：优秀线 > 良好线 > 合格线"))


def _eligibility(form: Form, draft: ChallengeDraft) -> None:
    ranks = [r.value for r in Rank]
    draft.rank_min = form.choice("rank_min", _("最低职级"), ranks, required=False) or None
    draft.rank_max = form.choice("rank_max", _("最高职级"), ranks, required=False) or None
    if draft.rank_min and draft.rank_max and Rank(draft.rank_min).level > Rank(draft.rank_max).level:
        form.error("rank_max", _("最高职级不能低于最低职级"))
    draft.age_limit = form.integer("age_limit", _("年龄上限"), required=False, minimum=18, maximum=70)
    draft.require_frontline = form.boolean("require_frontline")
    draft.eligible_field_ids = _ids(form, "eligible_fields")
    draft.eligible_unit_ids = _ids(form, "eligible_units")
    draft.field_id = _optional_id(form, "field_id")
    draft.owner_unit_id = _optional_id(form, "owner_unit_id")


def _window(form: Form, draft: ChallengeDraft) -> None:
    draft.bid_opens_at = local_datetime(form, "bid_opens_at", _("揭榜开始时间"))
    draft.bid_closes_at = local_datetime(form, "bid_closes_at", _("揭榜截止时间"))
    if draft.bid_opens_at and draft.bid_closes_at and draft.bid_closes_at <= draft.bid_opens_at:
        form.error("bid_closes_at", _("截止时间必须晚于开始时间"))


def _row_text(form: Form, key: str, value: str, label: str, limit: int) -> None:
    if len(value) > limit:
        form.error(key, _("{label}最多 {n} 个字符（当前 {m} 个）").format(label=label, n=limit, m=len(value)))
    plain_text(form, key, value)


def _criteria_rows(form: Form, group: str) -> list[CriterionRow]:
    found = rows(form, group, CriterionRow)
    for i, c in enumerate(found):
        _row_text(form, group, c.name, _("评分项名称"), 100)
        _row_text(form, group, c.guidance, _("评分说明"), 2000)
        points = c.points_value
        if not c.name:
            form.error(group, _("第 {n} 个评分项缺少名称").format(n=i + 1))
        if points is None or not Decimal(0) < points <= Decimal(100) or points != points.quantize(Decimal("0.01")):
            form.error(group, _("第 {n} 个评分项的分值须为 0 到 100 之间的数（最多两位小数）").format(n=i + 1))
    return found


def _rows(form: Form, draft: ChallengeDraft) -> None:
    draft.criteria = _criteria_rows(form, "criteria")
    draft.acceptance = _criteria_rows(form, "acceptance")
    draft.milestones = rows(form, "milestones", MilestoneRow)
    for i, m in enumerate(draft.milestones):
        _row_text(form, "milestones", m.title, _("节点名称"), 100)
        _row_text(form, "milestones", m.deliverable, _("节点成果"), 2000)
        if not m.title or not m.due_month.isdigit() or not 1 <= int(m.due_month) <= 120:
            form.error("milestones", _("第 {n} 个节点须有名称和 1 到 120 之间的月数").format(n=i + 1))
    draft.checkpoints = rows(form, "checkpoints", CheckpointRow)
    for i, cp in enumerate(draft.checkpoints):
        _row_text(form, "checkpoints", cp.title, _("赛马节点名称"), 100)
        try:
            date.fromisoformat(cp.due_on)
        except ValueError:
            form.error("checkpoints", _("第 {n} 个赛马节点须有有效日期").format(n=i + 1))
    draft.tolerance = rows(form, "tolerance", ToleranceRow)
    for t in draft.tolerance:
        _row_text(form, "tolerance", t.description, _("容错情形"), 2000)


def read_draft(form: Form) -> ChallengeDraft:
    """The draft as posted; problems are collected in `form.errors`."""
    draft = ChallengeDraft()
    _texts(form, draft)
    _numbers(form, draft)
    _eligibility(form, draft)
    _window(form, draft)
    _rows(form, draft)
    return draft


def apply_rubric_action(criteria: list[CriterionRow], action: str) -> list[CriterionRow]:
    """The rubric editor's buttons: "add", "remove:i", "up:i", "down:i" (0-based index)."""
    rows_ = list(criteria)
    verb, _sep, raw = action.partition(":")
    index = int(raw) if raw.isdigit() else -1
    if verb == "add" and len(rows_) < MAX_ROWS:
        rows_.append(CriterionRow())
    elif verb == "remove" and 0 <= index < len(rows_):
        rows_.pop(index)
    elif verb == "up" and 0 < index < len(rows_):
        rows_[index - 1], rows_[index] = rows_[index], rows_[index - 1]
    elif verb == "down" and 0 <= index < len(rows_) - 1:
        rows_[index + 1], rows_[index] = rows_[index], rows_[index + 1]
    return rows_


def rubric_total(criteria: list[CriterionRow]) -> Decimal:
    return sum((c.points_value or Decimal(0) for c in criteria), Decimal(0))
