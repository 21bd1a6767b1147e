"""What a proofreader circles is found and located; what is correct stays quiet.

The example material's original had three typos (厉害关系, 编大, 红线意线, see tests/data/seed.txt);
they are put back into a copy of the corrected example workbook (sheets/), saved with openpyxl
as Excel would, together with a doubled phrase, a ____ blank and a reversed quote, and the
installed ``gwmerge check`` must report each at its cell.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
from conftest import SEED, SHEETS, make_workbook

from gwmerge import api
from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows

EXAMPLE = SHEETS / "示例-副镇长.xlsx"
# (sheet, cell, corrected text, the mistake put back, rule that must find it)
MISTAKES = [
    ("存在的主要问题", "C9", "利害关系", "厉害关系", "错别字"),
    ("产生问题的主要原因", "C6", "相对偏大", "相对编大", "错别字"),
    ("下步的改进措施", "C7", "红线意识", "红线意线", "错别字"),
    ("存在的主要问题", "C5", "不断强化学习", "不断强化学习强化学习", "字词重复"),
    ("下步的改进措施", "C4", "认真学习习近平", "于____前认真学习习近平", "待填空白"),
    ("下步的改进措施", "B4", "坚持“两个确立”", "坚持”两个确立“", "引号括号"),
]


def gwmerge(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["gwmerge", *args], capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_the_seed_has_the_three_typos_the_example_corrects() -> None:
    seed = SEED.read_text(encoding="utf-8")
    for wrong in ("厉害关系", "相对编大", "红线意线"):
        assert wrong in seed


def test_each_mistake_is_found_at_its_cell_by_the_installed_command(tmp_path: Path) -> None:
    book = tmp_path / "原稿.xlsx"
    shutil.copy(EXAMPLE, book)
    wb = openpyxl.load_workbook(book)
    for sheet, cell, right, wrong, _ in MISTAKES:
        value = wb[sheet][cell].value
        assert right in value, (sheet, cell)
        wb[sheet][cell] = value.replace(right, wrong, 1)
    wb.save(book)

    result = gwmerge("check", str(book))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for sheet, cell, _, _, rule in MISTAKES:
        where = f"提醒 原稿.xlsx › {sheet} › {cell}："
        said = [line for line in lines if line.startswith(where) and line.endswith(f"〔{rule}〕")]
        assert said, f"{rule} at {sheet} › {cell} not reported:\n{result.stdout}"
        assert f"如确需保留，可在“基本信息”的“不做的检查”中填写 {rule}" in said[0]
    typo_lines = [line for line in lines if line.endswith("〔错别字〕")]
    assert any("“厉害关系”应为“利害关系”" in line for line in typo_lines)
    assert any("“相对编大”应为“相对偏大”" in line for line in typo_lines)
    assert any("“红线意线”应为“红线意识”" in line for line in typo_lines)
    assert any("“强化学习”连写了两遍" in line for line in lines)
    assert any("右引号”和左引号“方向反了" in line for line in lines)


def test_the_corrected_examples_are_quiet(tmp_path: Path) -> None:
    result = gwmerge("check", str(SHEETS))
    assert result.returncode == 0, result.stdout
    assert "✓ 示例-副镇长.xlsx：没有发现问题" in result.stdout and "✓ 示例-党员.xlsx：没有发现问题" in result.stdout


def test_traditional_characters_are_one_finding_with_a_count(tmp_path: Path) -> None:
    rows = [("（一）", "在学习方面", "堅持學習，不斷進步。"), ("（一）", "在作风方面", "深入實際，聯繫群眾。"),
            ("（一）", "在纪律方面", "嚴守紀律，廉潔自律。")]
    path = make_workbook(tmp_path / "繁体.xlsx", [SectionRows("存在的主要问题", rows)])
    [outcome] = api.check([path])
    said = [str(f) for f in outcome.findings if f.rule == "繁体字"]
    assert len(said) == 1, said
    assert said[0].startswith("繁体.xlsx › 存在的主要问题 › C4：简体文稿中有繁体字“堅→坚”、“學→学”等 13 处")
    assert "（另见 C5、C6）" in said[0] or "另见 C5、C6；" in said[0]


def test_identical_stand_alone_headings_are_treated_the_same(tmp_path: Path) -> None:
    """With 一是 points in their own paragraphs, a heading followed by points stands alone as
    one followed by a paragraph does: both are told, in one finding."""
    rows = [("（一）", "在学习方面。", ""), ("一是", "学得不深", "理论学习不够深入。"),
            ("一是", "用得不够", "联系实际不够。"), ("（一）", "在作风方面。", ""), ("段落", "", "深入一线不够。")]
    own = make_workbook(tmp_path / "另起.xlsx", [SectionRows("存在的主要问题", rows)],
                        **{sf.FIELD_POINTS: sf.POINTS_OWN})
    [outcome] = api.check([own])
    said = [str(f) for f in outcome.findings if f.rule == "标题末尾标点"]
    assert len(said) == 1 and said[0].startswith("另起.xlsx › 存在的主要问题 › B4：小标题单独成行，末尾不加标点，"
                                                 "请删去“在学习方面。”、“在作风方面。”末尾的“。”（另见 B7；"), said
    assert "GB/T 9704" not in said[0]
    inline = make_workbook(tmp_path / "接排.xlsx", [SectionRows("存在的主要问题", rows)],
                           **{sf.FIELD_POINTS: sf.POINTS_RUN_ON})
    said = [str(f) for f in api.check([inline])[0].findings if f.rule == "标题末尾标点"]
    assert len(said) == 1 and "B7" in said[0] and "在学习方面" not in said[0], said  # runs in: 。 is right


def test_points_split_by_a_paragraph_are_numbered_on_and_not_lone(tmp_path: Path) -> None:
    rows = [("（一）", "在学习方面", "存在差距："), ("一是", "", "学得不深。"), ("段落", "", "有时学用脱节。"),
            ("一是", "", "用得不够。"), ("（一）", "在作风方面", "存在差距："), ("一是", "", "深入一线不够。")]
    path = make_workbook(tmp_path / "要点.xlsx", [SectionRows("存在的主要问题", rows)])
    said = [str(f) for f in api.check([path])[0].findings if f.rule == "孤立一是"]
    assert [line.split("：")[0] for line in said] == ["要点.xlsx › 存在的主要问题 › A9"]
