"""The SVG charts and the distribution figures: pure functions, no database."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arena.reports import charts, stats
from arena.reports.charts import bar_chart, grouped_bar_chart, nice_scale, text_width, truncate


def bar_widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="17"', svg)]


def test_every_label_and_the_title_are_escaped():
    svg = str(bar_chart('<b>"榜单"</b> & co', ["<script>alert(1)</script>", "A&B"], [1, 2]))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "A&amp;B" in svg
    assert 'aria-label="&lt;b&gt;&#34;榜单&#34;&lt;/b&gt; &amp; co"' in svg


def test_a_chart_is_an_image_named_by_its_title_with_no_inline_style():
    svg = str(grouped_bar_chart("占比", ["揭榜人", "挂帅人"], ["年轻干部", "基层一线干部"],
                                [[Decimal(40), Decimal(20)], [Decimal(100), Decimal(0)]], axis_max=100, unit="%"))
    assert svg.startswith("<svg ") and 'role="img"' in svg and 'aria-label="占比"' in svg
    assert "<title>占比</title>" in svg
    assert "style" not in svg
    assert svg.count("<rect") == 2 + 3  # the legend's squares, the three bars that are not zero


def test_empty_data_draws_a_message_and_zero_data_divides_by_nothing():
    assert "暂无数据" in str(bar_chart("空", [], []))
    assert "暂无数据" in str(grouped_bar_chart("空", [], ["年轻干部"], []))
    zeros = str(bar_chart("零", ["甲", "乙"], [0, 0]))
    assert "<rect" not in zeros and ">0</text>" in zeros
    assert str(grouped_bar_chart("零", ["揭榜人"], ["年轻干部"], [[Decimal(0)]], axis_max=100)).count("<rect") == 1


def test_bars_are_scaled_to_the_axis_which_ends_on_a_round_number():
    svg = str(bar_chart("揭榜数", ["a", "b", "c"], [7, 14, 3]))
    scale = nice_scale([7, 14, 3], left=charts.label_column(["a", "b", "c"]))
    assert (scale.maximum, scale.step, scale.left) == (Decimal(15), Decimal(5), charts.MIN_LABEL_WIDTH)
    assert f'<rect x="{charts.MIN_LABEL_WIDTH}" ' in svg
    widths = bar_widths(svg)
    assert widths == [round(7 / 15 * scale.width, 1), round(14 / 15 * scale.width, 1), round(3 / 15 * scale.width, 1)]
    assert [t for t in re.findall(r'text-anchor="middle" fill="#475467">(\d+)</text>', svg)] == ["0", "5", "10", "15"]


def test_percentages_use_a_fixed_axis_and_print_the_given_value_labels():
    svg = str(bar_chart("占比", ["年轻干部"], [Decimal("50")], value_labels=["50.0% · 1/2"], axis_max=100, unit="%"))
    assert bar_widths(svg) == [nice_scale([100], left=charts.label_column(["年轻干部"])).width / 2]
    assert "50.0% · 1/2" in svg and ">100%</text>" in svg


def test_integer_counts_never_get_fractional_ticks():
    assert nice_scale([1]).step == 1 and nice_scale([1]).maximum == 1
    assert nice_scale([0, 0]).maximum == 1
    assert nice_scale([Decimal("0.3")]).step == Decimal("0.1")


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8))
def test_the_axis_always_covers_every_value(values):
    scale = nice_scale(values)
    assert scale.maximum >= max(values) and scale.maximum > 0
    assert len(scale.ticks) <= 11
    assert all(scale.left <= scale.x(v) <= scale.left + scale.width for v in values)


def test_long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_the_tooltip():
    long = "乡村振兴与基层社会治理现代化综合改革试点领域"
    svg = str(bar_chart("领域", [long], [3]))
    shown = re.search(r'text-anchor="end">([^<]+)</text>', svg).group(1)
    assert shown.endswith("…") and long.startswith(shown[:-1])
    assert text_width(shown) <= charts.MAX_LABEL_WIDTH - 12
    assert f'<rect x="{charts.MAX_LABEL_WIDTH}" ' in svg
    assert f"<title>{long}: 3</title>" in svg
    assert truncate("数字治理", 200) == "数字治理"
    assert text_width("abc") == pytest.approx(3 * 0.6 * charts.FONT_SIZE) and text_width("领域") == 2 * charts.FONT_SIZE


def test_the_same_data_gives_the_same_bytes():
    args = ("榜单", ["甲", "乙"], [Decimal("2.5"), 3])
    assert bar_chart(*args) == bar_chart(*args)
    assert "2.5" in str(bar_chart(*args))


def test_a_value_per_label_is_required():
    with pytest.raises(ValueError):
        bar_chart("x", ["a"], [1, 2])
    with pytest.raises(ValueError):
        grouped_bar_chart("x", ["a"], ["s", "t"], [[1]])


def test_median_mean_and_buckets_of_a_frequency_table():
    freq = {0: 2, 1: 1, 4: 1, 12: 1}  # 0 0 1 4 12
    assert stats.median(freq) == 1 and stats.mean(freq) == Decimal("3.40")
    assert stats.median({1: 1, 4: 1}) == Decimal("2.5") and str(stats.median({2: 1, 4: 1})) == "3"
    assert stats.median({}) is None and stats.mean({}) is None
    assert stats.bucket_counts(freq, stats.BID_BUCKETS) == [2, 1, 0, 1, 0, 1]
    assert stats.bucket_counts({-1: 1, 30: 1, 31: 1, 200: 2}, stats.DAY_BUCKETS) == [2, 1, 0, 0, 2]


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=40))
def test_the_median_of_a_frequency_table_is_the_median_of_its_values(values):
    import statistics

    freq: dict[int, int] = {}
    for v in values:
        freq[v] = freq.get(v, 0) + 1
    assert stats.median(freq) == Decimal(str(statistics.median(values)))
    assert sum(stats.bucket_counts(freq, stats.DAY_BUCKETS)) == len(values)


def test_shares_never_divide_by_zero():
    assert stats.share(1, 0) is None and stats.percent_text(None) == "—"
    assert stats.percent_text(stats.share(2, 7)) == "28.6%"
