"""雷同 through ``gwmerge check`` as a clerk runs it: a township pasting one 范文 is reported however
many people did it, and the kind's own wording (themes, hints, instructions) is never called copied."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_workbook, seed_paragraphs

from gwmerge.document import kinds
from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows

pytestmark = pytest.mark.timeout(300)

# Simplified characters only (the seed's), so that 繁体字 and the like stay out of the way.
HAN = sorted({ch for p in seed_paragraphs() for ch in p if "\u4e00" <= ch <= "\u9fff"})
SHEETS = ("存在的主要问题", "产生问题的主要原因", "下步的改进措施")


def gwmerge(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed command (the one beside this interpreter), as the user types it."""
    command = shutil.which("gwmerge", path=str(Path(sys.executable).parent)) or shutil.which("gwmerge")
    assert command, "the gwmerge command is not installed"
    return subprocess.run([command, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          timeout=240, env={"COLUMNS": "200", "NO_COLOR": "1", "PATH": str(Path(command).parent)})


def own_words(rng: random.Random, n: int) -> list[str]:
    """Paragraphs nobody else wrote."""
    return ["".join(rng.choice(HAN) for _ in range(rng.randint(30, 80))) + "。" for _ in range(n)]


def workbook(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    return make_workbook(path, [SectionRows("存在的主要问题", rows[:10]),
                                SectionRows("产生问题的主要原因", rows[10:20] or [("段落", "", "原因。")]),
                                SectionRows("下步的改进措施", rows[20:] or [("段落", "", "措施。")])])


def test_eleven_identical_workbooks_are_one_group(tmp_path: Path) -> None:
    model = [p for p in seed_paragraphs() if len(p) > 30][:24]
    rows = [("段落", "", text) for text in model]
    folder = tmp_path / "全镇"
    folder.mkdir()
    names = [f"人员{i:02d}.xlsx" for i in range(1, 12)]
    workbook(folder / names[0], rows)
    for name in names[1:]:
        shutil.copy(folder / names[0], folder / name)
    result = gwmerge("check", folder)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "雷同" in line or "相同" in line]
    # the first carries the group, naming all eleven; every copy points to it (none shows as clean)
    assert lines[0].startswith(f"提醒 人员01.xlsx：以下 11 份材料有 {len(model)} 段相同或几乎相同"
                               f"（其中 {len(model)} 段完全相同，如 存在的主要问题 › C4、")
    assert all(name in lines[0] for name in names)
    for name in names[1:]:
        assert f"提醒 {name}：与 人员01.xlsx 等 11 份材料有 {len(model)} 段相同或几乎相同（见 人员01.xlsx 的提醒）" \
               in result.stdout
    assert "没有发现问题" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_kinds_own_wording_is_not_copying_however_many_use_it(tmp_path: Path) -> None:
    """A township: everyone starts from the same blank workbook and the year's theme."""
    kind = kinds.find("民主生活会")
    [theme] = [t for t in kind.themes if t.year == 2021]
    aspects = list(theme.aspects["存在的主要问题"])
    stock = [
        *aspects,  # the theme's aspects written as paragraphs
        *(f"{a}，还有差距。" for a in aspects),  # …with a few words of one's own
        kind.sections[0].hint + "。",  # the section's hint, pasted
        sf.SECTION_INSTRUCTION.split("。")[0] + "。",  # the instruction line, pasted
    ]
    folder = tmp_path / "全镇"
    folder.mkdir()
    shared_own = "对村里反映的道路硬化问题拖了三个月才协调解决，群众跑了好几趟，说明为民服务的意识还不强。"
    for i in range(20):
        rng = random.Random(i)
        own = own_words(rng, 6)
        rows = [("段落", "", text) for text in stock]
        rows += [("段落", "", f"{aspects[0]}，{text}") for text in own[:2]]  # stock + own text in one paragraph
        rows += [("段落", "", text) for text in own[2:]]
        if i in (3, 17):  # two people really did copy one paragraph
            rows.append(("段落", "", shared_own))
            where = f"{SHEETS[(len(rows) - 1) // 10]} › C{4 + (len(rows) - 1) % 10}"
        workbook(folder / f"人员{i:02d}.xlsx", rows)
    result = gwmerge("check", folder)
    similar = [line for line in result.stdout.splitlines() if "雷同" in line]
    assert similar == [f"提醒 人员03.xlsx › {where}：与 人员17.xlsx › {where} 的段落雷同（完全相同）："
                       f"“{shared_own[:16]}…”；请各自结合本人实际改写。〔雷同〕"], result.stdout
    # three people are as few as two: the stock sentences are left out by what they are
    few = tmp_path / "三人"
    few.mkdir()
    for i in range(3):
        workbook(few / f"人员{i}.xlsx", [("段落", "", text) for text in stock + own_words(random.Random(100 + i), 3)])
    assert "雷同" not in gwmerge("check", few).stdout
