"""Reading HTML forms into typed values with messages in the user's language.

Forms post as plain HTML (they work without JavaScript). Each reader returns the cleaned
value or records a message against the field, so a page can show every problem at once and
give the form back filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from arena.i18n import gettext as _

MAX_TEXT = 20000
"""No field of any form may be longer (the longest, a challenge's texts, allow this much): a
longer value is cut to this before anything reads it, and the field gets a message, so an 18 MB
field costs no work and does not come back whole in the page (issue 26)."""


PHONE_CHARS = frozenset("0123456789 -+()（）")


class Form:
    """Raw submitted values plus the errors found while reading them."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        for key, value in (data or {}).items():
            self.data[key] = [self._capped(key, v) for v in value] if isinstance(value, list) else self._capped(
                key, value)

    def _capped(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            self.error(name, _("内容过长：最多 {n} 个字符（提交了 {m} 个），请删减后重新提交").format(
                n=MAX_TEXT, m=len(value)))
            return value[:MAX_TEXT]
        return value

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value) if value is not None else ""

    def values(self, name: str) -> list[str]:
        value = self.data.get(name, [])
        if isinstance(value, list):
            return [str(v) for v in value]
        return [str(value)] if value not in (None, "") else []

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, name: str, label: str, *, required: bool = True, max_length: int = 200,
             min_length: int = 0) -> str:
        value = self.raw(name).strip()
        if "\x00" in value:
            self.error(name, _("{label}包含不允许的字符").format(label=label))
            return ""
        if not value:
            if required:
                self.error(name, _("请填写{label}").format(label=label))
            return ""
        if len(value) > max_length:
            self.error(name, _("{label}最多 {n} 个字符（当前 {m} 个）").format(label=label, n=max_length,
                                                                          m=len(value)))
        elif len(value) < min_length:
            self.error(name, _("{label}至少 {n} 个字符").format(label=label, n=min_length))
        return value

    def line(self, name: str, label: str, *, required: bool = True, max_length: int = 200) -> str:
        """Text printed as is on notices and letters: no angle brackets, no line breaks."""
        value = self.text(name, label, required=required, max_length=max_length)
        if any(ch in "<>" for ch in value):
            self.error(name, _("不能包含尖括号"))
        elif any(ord(ch) < 32 for ch in value):
            self.error(name, _("不能包含换行等控制字符"))
        return value

    def phone(self, name: str, label: str, *, required: bool = False, max_length: int = 32) -> str:
        """A phone number as people write it: 010-66667777-123, +86 (10) 6666 7777."""
        value = self.text(name, label, required=required, max_length=max_length)
        if value and (not set(value) <= PHONE_CHARS or not any(ch.isdigit() for ch in value)):
            self.error(name, _("电话号码只能包含数字、空格、连字符“-”、括号和加号，如 010-66667777"))
        return value

    def contact(self) -> dict[str, str]:
        """公示与监督: the contacts a unit or a department prints on its notices, each optional."""
        return {"supervision_phone": self.phone("supervision_phone", _("监督电话")),
                "contact_person": self.line("contact_person", _("受理联系人"), required=False, max_length=50),
                "contact_phone": self.phone("contact_phone", _("联系电话")),
                "address": self.line("address", _("通讯地址"), required=False)}

    def integer(self, name: str, label: str, *, required: bool = True, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self.raw(name).strip()
        if not value:
            if required:
                self.error(name, _("请填写{label}").format(label=label))
            return None
        try:
            number = int(value)
        except ValueError:
            self.error(name, _("{label}必须是整数").format(label=label))
            return None
        if minimum is not None and number < minimum:
            self.error(name, _("{label}不能小于 {n}").format(label=label, n=minimum))
        elif maximum is not None and number > maximum:
            self.error(name, _("{label}不能大于 {n}").format(label=label, n=maximum))
        return number

    def decimal(self, name: str, label: str, *, required: bool = True, minimum: Decimal | None = None,
                maximum: Decimal | None = None, places: int = 2) -> Decimal | None:
        value = self.raw(name).strip()
        if not value:
            if required:
                self.error(name, _("请填写{label}").format(label=label))
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.error(name, _("{label}必须是数字").format(label=label))
            return None
        if not number.is_finite():
            self.error(name, _("{label}必须是数字").format(label=label))
            return None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.error(name, _("{label}最多保留 {n} 位小数").format(label=label, n=places))
        elif minimum is not None and number < minimum:
            self.error(name, _("{label}不能小于 {n}").format(label=label, n=minimum))
        elif maximum is not None and number > maximum:
            self.error(name, _("{label}不能大于 {n}").format(label=label, n=maximum))
        return number

    def day(self, name: str, label: str, *, required: bool = True) -> date | None:
        value = self.raw(name).strip()
        if not value:
            if required:
                self.error(name, _("请填写{label}").format(label=label))
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(name, _("{label}不是有效日期（格式：2026-01-31）").format(label=label))
            return None

    def boolean(self, name: str) -> bool:
        return self.raw(name) in ("1", "on", "true", "yes")

    def choice(self, name: str, label: str, choices: Mapping[str, Any] | list[str], *,
               required: bool = True) -> str:
        value = self.raw(name).strip()
        if not value:
            if required:
                self.error(name, _("请选择{label}").format(label=label))
            return ""
        if value not in choices:
            self.error(name, _("{label}的取值无效").format(label=label))
            return ""
        return value
