"""The inspector's opinion on a fault-tolerance request (容错纠错), as the standard considerations
of 容错免责 rather than one text box: for each, 是 / 否 / 不明确 with an optional note; then a
recommendation (建议予以容错 / 建议不予容错) and free text.

Pure: parsing the form into an `Opinion` (or FormErrors with every problem at once) and reading
a stored one back. Stored as JSON text in `tolerance_request.opinion_considerations`; requests
answered before the considerations existed keep their opinion as free text only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from arena.canonical import canonical_json
from arena.errors import FormErrors
from arena.i18n import gettext as _
from arena.i18n import lazy

NOTE_MAX, TEXT_MAX = 500, 4000

CONSIDERATIONS: dict[str, str] = {
    "lawful": lazy("依规依纪：是否在党纪国法和政策规定范围内履职"),
    "no_gain": lazy("未谋私利：是否没有为个人、亲友或他人谋取私利"),
    "collective": lazy("民主决策：是否经过集体研究、民主决策程序"),
    "mitigated": lazy("挽回损失：是否主动采取措施挽回或减轻损失"),
}
"""key → the question (msgid), in the order the form asks them."""

SHORT: dict[str, str] = {
    "lawful": lazy("依规依纪"),
    "no_gain": lazy("未谋私利"),
    "collective": lazy("民主决策"),
    "mitigated": lazy("挽回损失"),
}

ANSWERS: dict[str, str] = {"yes": lazy("是"), "no": lazy("否"), "unclear": lazy("不明确")}
RECOMMENDATIONS: dict[str, str] = {"grant": lazy("建议予以容错"), "refuse": lazy("建议不予容错")}
FIELDS = (*(f"c-{key}" for key in CONSIDERATIONS), *(f"c-{key}-note" for key in CONSIDERATIONS), "recommendation",
          "opinion")
"""The form's fields, to read from the request and give back on an error."""


@dataclass(frozen=True)
class Consideration:
    key: str
    answer: str
    note: str = ""

    @property
    def label(self) -> str:
        return _(SHORT[self.key])

    @property
    def answer_label(self) -> str:
        return _(ANSWERS[self.answer])


@dataclass(frozen=True)
class Opinion:
    considerations: list[Consideration] = field(default_factory=list)
    recommendation: str | None = None
    text: str = ""

    @property
    def recommendation_label(self) -> str:
        return _(RECOMMENDATIONS[self.recommendation]) if self.recommendation in RECOMMENDATIONS else ""

    def stored(self) -> str:
        """The JSON kept in `opinion_considerations`."""
        return canonical_json({c.key: {"answer": c.answer, "note": c.note} for c in self.considerations})

    def brief(self) -> str:
        """One line, for the facts a record rests on: 建议予以容错；依规依纪：是；…；意见：…"""
        parts = [self.recommendation_label] if self.recommendation else []
        parts += [f"{c.label}：{c.answer_label}" + (f"（{c.note}）" if c.note else "") for c in self.considerations]
        if self.text:
            parts.append(_("意见：{text}").format(text=self.text) if parts else self.text)
        return "；".join(parts)

    def summary(self) -> dict[str, str]:
        """What the audit event keeps: each answer and the recommendation, by key."""
        return {c.key: c.answer for c in self.considerations} | {"recommendation": self.recommendation or ""}


def parse(values: Mapping[str, str]) -> Opinion:
    """The opinion from the form fields `c-<key>`, `c-<key>-note`, `recommendation` and
    `opinion`; every consideration and the recommendation are required (none is pre-selected)."""
    errors: dict[str, str] = {}
    considerations = []
    for key in CONSIDERATIONS:
        answer = (values.get(f"c-{key}") or "").strip()
        note = (values.get(f"c-{key}-note") or "").strip()
        if answer not in ANSWERS:
            errors[f"c-{key}"] = _("请选择“{item}”：是、否或不明确").format(item=_(SHORT[key]))
        if len(note) > NOTE_MAX:
            errors[f"c-{key}-note"] = _("说明不能超过 {n} 个字").format(n=NOTE_MAX)
        considerations.append(Consideration(key, answer, note))
    recommendation = (values.get("recommendation") or "").strip()
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = _("请选择建议予以容错或建议不予容错")
    text = (values.get("opinion") or "").strip()
    if len(text) > TEXT_MAX:
        errors["opinion"] = _("意见不能超过 {n} 个字").format(n=TEXT_MAX)
    if errors:
        raise FormErrors(errors)
    return Opinion(considerations, recommendation, text)


def filled(answer: str = "yes", recommendation: str = "grant", text: str = "",
           notes: Mapping[str, str] | None = None) -> dict[str, str]:
    """Form values answering every consideration alike (the demo and tests use it)."""
    values = {f"c-{key}": answer for key in CONSIDERATIONS} | {"recommendation": recommendation, "opinion": text}
    return values | {f"c-{key}-note": note for key, note in (notes or {}).items()}


def stored(considerations: str | None, recommendation: str | None, text: str | None) -> Opinion | None:
    """A request's opinion as stored, or None when there is none yet. Unknown keys or answers in
    the stored JSON are skipped rather than shown as codes."""
    if not considerations and not recommendation and not text:
        return None
    items: list[Consideration] = []
    try:
        body = json.loads(considerations) if considerations else {}
    except ValueError:
        body = {}
    if isinstance(body, dict):
        for key in CONSIDERATIONS:
            entry = body.get(key)
            if isinstance(entry, dict) and entry.get("answer") in ANSWERS:
                items.append(Consideration(key, str(entry["answer"]), str(entry.get("note") or "")))
    return Opinion(items, recommendation if recommendation in RECOMMENDATIONS else None, text or "")
