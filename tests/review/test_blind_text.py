"""What a blind review masks in the bidder's own words (review/blind.py), as pure functions."""

from __future__ import annotations

import pytest

from arena.review.blind import REDACTED, redact


@pytest.mark.parametrize("contact", [
    "13912345678", "139-1234-5678", "+86 13912345678", "0571-87654321", "010 12345678",
    "ouyang.mh@qinghe.example.cn", "OUYANG@Example.CN",
])
def test_every_phone_number_and_email_address_is_masked_whoever_it_belongs_to(contact):
    masked = redact(f"如有疑问请联系 {contact}。", [])
    assert contact not in masked and REDACTED in masked


@pytest.mark.parametrize("text", ["预算 2026 万元，工期 18 个月", "覆盖 120 个村、3000 户", "版本 1.2.3"])
def test_numbers_that_are_not_contacts_stay(text):
    assert redact(text, []) == text


def test_logins_match_as_whole_words_in_any_case_and_chinese_names_anywhere():
    masked = redact("由欧阳明辉牵头（账号 Lead1），lead12 与 leader 不受影响", ["欧阳明辉", "lead1"])
    assert masked == "由■■牵头（账号 ■■），lead12 与 leader 不受影响"
