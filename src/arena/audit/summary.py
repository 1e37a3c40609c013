"""An audit event's summary (the canonical JSON the chain hashes) as a reader understands it:
labelled lines such as 状态 草稿 → 已发布, 理由 …, instead of raw JSON.

Known keys read with their names; `from` and `to` become one 状态 line with the states' names
(arena.audit.labels.state_label); unknown keys show as key: value; an empty summary shows nothing.
Pure: it only renders what arena.audit.redaction has already decided the reader may see.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arena.audit.labels import state_label
from arena.i18n import gettext as _
from arena.i18n import lazy

KEY_LABELS: dict[str, str] = {
    "reason": lazy("理由"),
    "comment": lazy("意见"),
    "title": lazy("标题"),
    "number": lazy("编号"),
    "challenge": lazy("榜单"),
    "bid": lazy("揭榜申报"),
    "panel": lazy("评审专家组"),
    "project": lazy("项目"),
    "milestone": lazy("节点任务"),
    "case": lazy("容错情形"),
    "tolerance": lazy("容错申请"),
    "publicity": lazy("公示"),
    "expert": lazy("专家"),
    "member": lazy("团队成员"),
    "cadre": lazy("干部"),
    "account": lazy("账号"),
    "username": lazy("登录名"),
    "roles": lazy("角色"),
    "code": lazy("编码"),
    "score": lazy("得分"),
    "scores": lazy("各项得分"),
    "total": lazy("总分"),
    "verdict": lazy("考核结论"),
    "percent": lazy("完成进度（%）"),
    "grade": lazy("验收等级"),
    "revision": lazy("版本"),
    "version": lazy("版本"),
    "seq": lazy("序号"),
    "evidence": lazy("佐证材料数"),
    "winners": lazy("胜出"),
    "members": lazy("抽中专家"),
    "candidates": lazy("候选专家"),
    "seed": lazy("随机种子"),
    "beacon": lazy("开奖结果"),
    "beacon_date": lazy("开奖日期"),
    "beacon_source": lazy("公开随机源"),
    "commitment": lazy("承诺值"),
    "sha256": lazy("内容哈希"),
    "results_sha256": lazy("结果哈希"),
    "commitment_sha256": lazy("军令状哈希"),
    "candidates_sha256": lazy("候选名单哈希"),
    "last_day": lazy("公示截止日"),
    "working_days": lazy("工作日数"),
    "type": lazy("类型"),
    "trigger": lazy("依据"),
    "document_number": lazy("文号"),
    "document_date": lazy("发文日期"),
    "certificate": lazy("证书"),
    "eliminated": lazy("淘汰项目"),
    "keep_reason": lazy("不淘汰理由"),
    "items": lazy("变更事项"),
    "before": lazy("变更前"),
    "after": lazy("变更后"),
    "recommendation": lazy("建议"),
    "lawful": lazy("依规依纪"),
    "no_gain": lazy("未谋私利"),
    "collective": lazy("民主决策"),
    "mitigated": lazy("挽回损失"),
    # keys the panels, checkpoints and rounds write (issue 22: no raw English on a zh page)
    "purpose": lazy("评审类型"),
    "kind": lazy("抽取方式"),
    "size": lazy("专家组人数"),
    "reserves": lazy("后备专家"),
    "trim_k": lazy("去掉最高分和最低分各几份"),
    "ordinal": lazy("抽取次序"),
    "randomness": lazy("随机数"),
    "missing": lazy("未交评分表数"),
    "qualified": lazy("资格审查通过数"),
    "previous": lazy("上一轮榜单"),
    "round": lazy("轮次"),
    "checkpoint": lazy("赛马节点"),
    "ranking": lazy("排名"),
    "rows": lazy("变更行数"),
    "excluded": lazy("不予公示"),
    "action": lazy("处理方式"),
    "fields": lazy("领域"),  # a count, or the names before and after
    "units": lazy("单位数"),
    "revised": lazy("修改陈述"),  # records.hearing: a statement revised, not filed
    "statement": lazy("已提交陈述"),
    # keys other events write (a scan of every summary written keeps this list whole:
    # tests/audit/test_summary_names.py)
    "cadres": lazy("干部数"),
    "challenges": lazy("榜单数"),
    "experts": lazy("专家数"),
    "scale": lazy("数据规模（倍）"),
    "changes": lazy("变更内容"),
    "created": lazy("新增"),
    "updated": lazy("更新"),
    "logins": lazy("新开登录账号数"),
    "via": lazy("方式"),
    "login": lazy("登录账号"),
    "criteria": lazy("评分项"),
    "department": lazy("组织部门"),
    "drawn_rank": lazy("抽取顺位"),
    "due_on": lazy("截止日期"),
    "first": lazy("首次填写"),
    "opinion": lazy("意见内容"),
    "hearing_last_day": lazy("陈述截止日"),
    "holidays": lazy("放假天数"),
    "workdays": lazy("调休上班天数"),
    "note": lazy("说明"),
    "name": lazy("名称"),
    "parent_id": lazy("上级单位"),
    "unit_id": lazy("所在单位"),
    "user_id": lazy("登录账号"),
    "position": lazy("职务"),
    "rank": lazy("职级"),
    "birth_date": lazy("出生日期"),
    "frontline": lazy("基层一线"),
    "annual_panel_cap": lazy("每年评审次数上限"),
    "supervision_phone": lazy("监督电话"),
    "contact_person": lazy("联系人"),
    "contact_phone": lazy("联系电话"),
    "address": lazy("地址"),
    "hearing_days": lazy("陈述期（工作日）"),
    "publicity_days": lazy("公示期（工作日）"),
    "objection": lazy("异议序号"),
    "outcome": lazy("答复结果"),
    "role": lazy("意见类别"),
    "stance": lazy("态度"),
    "scopes": lazy("权限范围"),
    "token_prefix": lazy("令牌前缀"),
    "seat": lazy("评审邀请"),
    "signed_at": lazy("签署时间"),
    "superseded": lazy("被取代结果的哈希"),
    "target": lazy("回避对象"),
    "target_bid": lazy("所涉揭榜申报"),
    "voided": lazy("作废评分表数"),
    "was_chair": lazy("原为组长"),
}
"""Summary keys → their names (msgid). Keys not listed show as they are."""

VALUE_LABELS: dict[str, str] = {
    "yes": lazy("是"), "no": lazy("否"), "unclear": lazy("不明确"),
    "grant": lazy("建议予以容错"), "refuse": lazy("建议不予容错"),
    "bid": lazy("揭榜评审"), "acceptance": lazy("验收评审"),  # purpose
    "panel": lazy("首次抽取"), "supplement": lazy("补充抽取"),  # kind
    "excellent": lazy("优秀"), "good": lazy("良好"), "qualified": lazy("合格"), "unqualified": lazy("不合格"),  # grade
    # verdict
    "on_track": lazy("正常推进"), "at_risk": lazy("存在风险"), "failed": lazy("未完成"), "completed": lazy("已完成"),
}
"""Coded values shown by name (only under the keys in CODED_KEYS)."""
CODED_KEYS = frozenset({"lawful", "no_gain", "collective", "mitigated", "recommendation", "purpose", "kind",
                        "grade", "verdict"})
MAX_VALUE = 200

AREA_VALUE_LABELS: dict[str, dict[str, str]] = {}
"""Coded values an area writes under one key (records' `type` and `trigger`, accounts' `roles`),
registered by that area so this module imports none."""


def register_values(key: str, labels: Mapping[str, str]) -> None:
    AREA_VALUE_LABELS.setdefault(key, {}).update({str(code): label for code, label in labels.items()})


def _named(key: str, value: Any) -> str | None:
    """The value by name, when it is a code (or a list of codes) registered for its key."""
    table = AREA_VALUE_LABELS.get(key)
    if table is not None:
        if isinstance(value, str) and value in table:
            return _(table[value])
        if isinstance(value, list) and value and all(isinstance(v, str) and v in table for v in value):
            return "、".join(_(table[v]) for v in value)
    if key in CODED_KEYS and isinstance(value, str) and value in VALUE_LABELS:
        return _(VALUE_LABELS[value])
    return None


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, dict) and set(value) == {"before", "after"}:  # one changed field
        return f"{_value(value['before'])} → {_value(value['after'])}"
    if isinstance(value, dict):  # {field: change} or {kind: count}: each by its name
        return "；".join(f"{_(KEY_LABELS[str(k)]) if str(k) in KEY_LABELS else k}：{_value(v)}"
                        for k, v in sorted(value.items())) or "—"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return str(value)


def lines(object_type: str, summary: str) -> list[Line]:
    """The summary as labelled lines, in a stable order (状态 first, then the keys as stored)."""
    try:
        body: Any = json.loads(summary) if summary else {}
    except ValueError:
        return [Line(_("摘要"), summary[:MAX_VALUE])]
    if not isinstance(body, dict):
        return [Line(_("摘要"), _value(body)[:MAX_VALUE])]
    out: list[Line] = []
    if "from" in body or "to" in body:
        before, after = body.get("from"), body.get("to")
        shown = " → ".join(state_label(object_type, s) for s in (before, after) if s is not None)
        out.append(Line(_("状态"), shown))
    for key, value in body.items():
        if key in ("from", "to"):
            continue
        label = _(KEY_LABELS[key]) if key in KEY_LABELS else key
        named = _named(key, value)
        text = named if named is not None else _value(value)
        out.append(Line(label, text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"))
    return out


def text(object_type: str, summary: str) -> str:
    """One line for a spreadsheet cell: 状态：草稿 → 已发布；理由：…"""
    return "；".join(f"{line.label}：{line.value}" for line in lines(object_type, summary))
