"""Title line breaking: trapezoid/diamond shapes, protected spans, no lone 的 or 文种."""

from __future__ import annotations

import re

import pytest

from gwmerge.document.titlebreak import DOC_TYPES, break_title

# Terms that must never be split (a subset of the built-in list, checked independently here).
PROTECTED_WORDS = (
    "民主生活会", "组织生活会", "对照检查", "检视剖析", "专题", "带头", "个人", "党委", "领导班子",
    "委员会", "党支部", "同志", "某某", "安全生产", "党员领导干部", "脱贫攻坚", "成果",
    "集体经济", "财务管理",
)
NUMBER = re.compile(r"[0-9]+(?:年度|年|万元|月|日|次)?")
QUOTED = re.compile(r"《[^》]*》|“[^”]*”")

TITLES = [
    "中共某某镇委员会领导班子2024年度专题民主生活会对照检查材料",
    "某某村党支部书记张三同志2024年度组织生活会个人检视剖析材料",
    "中共某某县委员会常委班子2024年度专题民主生活会对照检查材料",
    "某某镇党委书记李四同志在2024年度党员领导干部专题民主生活会上的对照检查材料",
    "关于2025年上半年全镇安全生产工作情况的报告",
    "关于下达2025年度某某镇农村人居环境整治专项资金30万元的通知",
    "关于开展“两个确立”专题学习研讨活动的实施方案",
    "某某镇领导班子学习贯彻习近平新时代中国特色社会主义思想主题教育专题民主生活会对照检查材料",
    "某某镇人民政府关于2024年度法治政府建设情况的报告",
    "某某村党支部2024年度组织生活会和开展民主评议党员情况的报告",
    "关于某某镇2024年度党风廉政建设主体责任落实情况的报告",
    "某某镇关于2024年度巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作的报告",
]
# The 《…》 alone (with 关于 and 的说明 around it) is longer than a line: it has to give way.
BOOK_TITLES = [
    "关于《某某镇2025年度重点工作实施方案》的说明",
    "关于印发《某某镇安全生产专项整治实施方案》的通知",
]


def _cuts(lines: list[str]) -> set[int]:
    positions, at = set(), 0
    for line in lines[:-1]:
        at += len(line)
        positions.add(at)
    return positions


def _spans(title: str, pattern: re.Pattern[str] | str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, title)]


def _assert_shape(lengths: list[int]) -> None:
    if len(lengths) == 2:
        assert lengths[0] >= lengths[1], lengths  # 正梯形: the upper line is longer
        return
    peak = lengths.index(max(lengths))
    assert lengths[: peak + 1] == sorted(lengths[: peak + 1]), lengths
    assert lengths[peak:] == sorted(lengths[peak:], reverse=True), lengths
    assert peak == 0 or lengths[-1] < lengths[peak], lengths  # trapezoid or diamond


def _assert_common(title: str, lines: list[str], max_chars: int = 20) -> None:
    assert "".join(lines) == title
    assert all(0 < len(line) <= max_chars for line in lines), lines
    assert not any(line.startswith("的") for line in lines), lines
    assert not any(line in DOC_TYPES for line in lines), lines
    cuts = _cuts(lines)
    protected = [*_spans(title, NUMBER)]
    for word in PROTECTED_WORDS:
        protected += _spans(title, re.escape(word))
    for start, end in protected:
        assert not any(start < c < end for c in cuts), (title[start:end], lines)


@pytest.mark.parametrize(
    "title",
    ["副镇长五个带头专题民主生活会对照检查材料", "某某镇2024年度工作总结", "短标题", ""],
)
def test_short_title_is_one_line(title: str) -> None:
    assert break_title(title) == [title]


@pytest.mark.parametrize("title", TITLES)
def test_long_title_keeps_words_numbers_and_quotes(title: str) -> None:
    lines = break_title(title)
    assert len(lines) >= 2
    _assert_common(title, lines)
    _assert_shape([len(line) for line in lines])
    for start, end in _spans(title, QUOTED):
        assert not any(start < c < end for c in _cuts(lines)), lines


@pytest.mark.parametrize("title", BOOK_TITLES)
def test_overlong_book_title_breaks_at_a_word_boundary(title: str) -> None:
    lines = break_title(title)
    _assert_common(title, lines)
    _assert_shape([len(line) for line in lines])
    assert lines[-1].endswith("》的" + title.rsplit("的", 1)[1])  # 的 and 文种 stay with 》


def test_expected_breaks() -> None:
    assert break_title("中共某某镇委员会领导班子2024年度专题民主生活会对照检查材料") == [
        "中共某某镇委员会领导班子2024年度",
        "专题民主生活会对照检查材料",
    ]
    assert break_title("某某村党支部书记张三同志2024年度组织生活会个人检视剖析材料") == [
        "某某村党支部书记张三同志2024年度",
        "组织生活会个人检视剖析材料",
    ]


def test_three_lines_form_a_diamond_or_trapezoid() -> None:
    title = "某某镇党委书记李四同志在2024年度党员领导干部专题民主生活会上的对照检查材料"
    lines = break_title(title)
    assert len(lines) == 3
    _assert_shape([len(line) for line in lines])


def test_document_type_never_alone() -> None:
    # "…专题民主生活会" + "对照检查材料" would fit 20 + 6; the 文种 must take company along.
    title = "某某镇党委副书记王五同志专题民主生活会对照检查材料"
    lines = break_title(title)
    _assert_common(title, lines)
    assert lines[-1] != "对照检查材料"


def test_de_never_starts_a_line() -> None:
    title = "某某村2024年度村集体经济组织财务管理的自查报告"
    assert title.index("的") == 20  # a plain 20-character cut would start line two with 的
    lines = break_title(title)
    _assert_common(title, lines)
    assert not lines[0].endswith("的")


def test_narrow_lines_and_deterministic() -> None:
    title = TITLES[7]
    lines = break_title(title, max_chars=12)
    assert all(len(line) <= 12 for line in lines)
    assert "".join(lines) == title
    assert break_title(title, max_chars=12) == lines


def test_unbreakable_text_falls_back_to_fixed_width() -> None:
    title = "2" * 45
    assert break_title(title) == ["2" * 20, "2" * 20, "2" * 5]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("length", [61, 120, 121, 201, 2000, 32767])
def test_pasted_paragraph_as_title_is_bounded(length: int) -> None:
    """A paragraph pasted into 标题 took 139 s at 201 characters and overflowed the stack at 32,767."""
    text = ("某某镇党委书记李四同志在2024年度党员领导干部专题民主生活会上的对照检查材料，" * 1000)[:length]
    lines = break_title(text)
    assert "".join(lines) == text
    assert all(len(line) <= 20 for line in lines)
    assert len(lines) <= -(-length // 20) + 1


def test_equal_costs_go_to_the_earliest_break() -> None:
    """Costs are exact: two splits of equal cost are a tie, and the earlier break wins."""
    title = "某某镇第2次学习乡村振兴2024年度领导班子乡村振兴某某镇“开展贯彻2024年度通知"
    assert break_title(title) == ["某某镇第2次学习乡村振兴", "2024年度领导班子乡村振兴某某镇", "“开展贯彻2024年度通知"]
