"""Browser journey of issue 21 point 1: a losing bidder of the demo's frozen open review
(高新区科技企业孵化器提质增效, challenge 11) finds their review feedback from their bid list,
reads it (experts by letter only, never by name) and downloads its PDF carrying the result's
SHA-256; axe finds nothing blocking on the page."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from arena.demo import EXPERTS
from tests.e2e.axe import axe_violations, blocking, describe
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TITLE = "高新区科技企业孵化器提质增效"
LOSER = "cadre5"  # bid second on challenge 11 (cadre2 leads the winning bid)


def test_a_losing_bidder_reads_their_review_and_downloads_it(page):
    log_in(page, LOSER)
    page.goto("/bids")
    row = page.locator("tbody tr", has_text=TITLE)
    row.get_by_role("link", name="评审反馈").click()
    page.wait_for_url(re.compile(r"/bids/\d+/review$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("评审反馈")
    expect(page.locator(".feedback-figures")).to_contain_text("/ 3")
    experts = page.locator("#fb-experts ~ .table-wrap tbody th")
    assert experts.count() >= 3
    assert [experts.nth(i).inner_text() for i in range(experts.count())][:3] == ["专家甲", "专家乙", "专家丙"]
    expect(page.locator("#fb-loo")).to_be_visible()
    text = page.locator("main").inner_text()
    assert not any(name in text for name, *_rest in EXPERTS)
    assert not re.search(r"ZJ\d{3,}|expert\d", text)
    sha = page.locator(".hash-text").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha)
    found = blocking(axe_violations(page))
    assert not found, describe(found)

    href = page.get_by_role("link", name="下载评审反馈（PDF）").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.body().startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert "%E8%AF%84%E5%AE%A1%E5%8F%8D%E9%A6%88" in disposition  # 评审反馈-<bid number>.pdf
    assert not re.search(r"ZJ\d|expert", disposition)
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).replace("\n", "")
    assert sha in pdf.replace(" ", "") and "专家甲" in pdf
    assert not any(name in pdf for name, *_rest in EXPERTS)
