"""Hand entry: rows the default layout runs into one paragraph are named by `check` (issue 17).

The workbooks are the ones a clerk types: a real material's paragraphs, one row each, left at the
default 要点排法. `check` runs as the user runs it: the installed command in a child process.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import make_workbook
from process import run_gwmerge

from gwmerge.checks.runon import sentences
from gwmerge.document import sheetformat as sf
from gwmerge.write.xlsx import SectionRows

# Three points, each a paragraph of its own in the source, each of several sentences.
POINTS = [
    ("一是", "理论学习不够系统", "平时学习多以手机上的零散阅读为主，原原本本读原著、学原文的时间不多。"
                         "遇到工作忙时，学习计划往往一推再推。"),
    ("二是", "调查研究不够深入", "到村组走访多是听汇报、看材料，与群众面对面交流不多。"
                         "对群众反映的问题，跟踪问效做得不够。"),
    ("三是", "担当作为不够有力", "面对矛盾问题有时存在畏难情绪，主动靠前协调不够。"
                         "推动工作满足于完成上级部署，创新办法不多。"),
]
ITEM = ("（一）", "在学习贯彻党的创新理论方面", "对照检视，主要有以下不足。")


def _book(tmp_path: Path, rows: list[tuple[str, str, str]], **info: str) -> Path:
    return make_workbook(tmp_path / "手工录入.xlsx", [SectionRows("存在的主要问题", rows)], **info)


def _check(book: Path) -> tuple[int, list[str]]:
    done = run_gwmerge("check", book)
    return done.code, [line for line in done.stdout.splitlines() if "〔连排〕" in line]


def test_points_meant_apart_left_at_the_default_layout_are_named(tmp_path: Path) -> None:
    code, said = _check(_book(tmp_path, [ITEM, *POINTS]))
    assert code == 1 and len(said) == 1, said
    [line] = said
    assert line.startswith("提醒 手工录入.xlsx › 存在的主要问题 › A4：")
    assert "第4行、第5行、第6行、第7行将排在同一段里" in line
    assert "3 个要点各有几句话" in line
    assert "“要点排法”改为“单独成段”" in line and "“排法”列选“另起段”" in line


def test_kept_apart_by_the_setting_nothing_is_said(tmp_path: Path) -> None:
    _, said = _check(_book(tmp_path, [ITEM, *POINTS], **{sf.FIELD_POINTS: sf.POINTS_OWN}))
    assert said == []


def test_kept_apart_row_by_row_nothing_is_said(tmp_path: Path) -> None:
    # 另起段 on the points: the 排法 column written by hand as the message says.
    from openpyxl import load_workbook

    book = _book(tmp_path, [ITEM, *POINTS])
    wb = load_workbook(book)
    ws = wb["存在的主要问题"]
    join_col = next(c.column for row in ws.iter_rows(max_row=6) for c in row
                    if str(c.value or "").startswith(sf.COL_JOIN))
    for row in (5, 6, 7):
        ws.cell(row=row, column=join_col, value="另起段")
    wb.save(book)
    _, said = _check(book)
    assert said == []


def test_a_list_introduced_by_a_colon_is_as_written(tmp_path: Path) -> None:
    """“还存在三个方面差距：一是…二是…” is an inline list the writer meant."""
    item = (ITEM[0], ITEM[1], "对照检视，还存在三个方面差距：")
    _, said = _check(_book(tmp_path, [item, *POINTS]))
    assert said == []


def test_short_inline_points_are_as_written(tmp_path: Path) -> None:
    points = [(lead, head, body.split("。")[0] + "。") for lead, head, body in POINTS]
    _, said = _check(_book(tmp_path, [ITEM, *points]))
    assert said == []


def test_a_point_run_on_into_an_item_of_several_sentences(tmp_path: Path) -> None:
    item = (ITEM[0], ITEM[1], "能够坚持学习，按时参加集中学习。但深入对照反思，仍有不足。")
    _, said = _check(_book(tmp_path, [item, POINTS[0]]))
    assert len(said) == 1 and "第4行、第5行将排在同一段里（要点接在了有几句话的条目后面" in said[0], said


def test_the_bundled_examples_say_nothing_run_together() -> None:
    sheets = Path(__file__).resolve().parents[1] / "sheets"
    done = run_gwmerge("check", sheets)
    assert "〔连排〕" not in done.stdout, done.stdout


@pytest.mark.parametrize(("text", "count"), [("", 0), ("一句。", 1), ("一句。两句！", 2), ("一句。没有句号", 2),
                                             ("他说：“好。”然后走了。", 2)])
def test_sentences(text: str, count: int) -> None:
    assert sentences(text) == count


def test_a_typed_title_line_too_long_is_rebroken_with_a_warning(tmp_path: Path) -> None:
    title = "某某镇党委领导班子\n关于2024年度落实全面从严治党主体责任情况的报告"
    book = _book(tmp_path, [ITEM, *POINTS], **{sf.FIELD_TITLE: title, sf.FIELD_POINTS: sf.POINTS_OWN})
    done = run_gwmerge("check", book)
    [line] = [ln for ln in done.stdout.splitlines() if "〔标题断行〕" in ln]
    assert "标题第 2 行有 25 字" in line
    assert "将在词间断为“关于2024年度落实全面从严治党 / 主体责任情况的报告”" in line
    merged = run_gwmerge("merge", book, "-o", tmp_path / "out")
    assert merged.code == 0, merged.output
    from gwmerge.docx.effective import EffectiveDoc

    first = next(EffectiveDoc(tmp_path / "out" / "手工录入.docx").paragraphs())
    assert first.text.split("\n") == ["某某镇党委领导班子", "关于2024年度落实全面从严治党", "主体责任情况的报告"]
    assert not re.search(r"\s", "".join(first.text.split("\n")))


def test_an_imported_draft_run_on_as_its_source_is_not_questioned(tmp_path: Path) -> None:
    """import writes 原文第N段 in 备注: rows from one source paragraph stay one paragraph, unsaid."""
    lead = "".join(f"{o}{h}。{b}" for o, h, b in POINTS[:2])
    source = tmp_path / "材料.txt"
    source.write_text("副镇长2024年度民主生活会对照检查材料\n按照镇党委安排，我对照检视，现将有关情况报告如下。\n"
                      f"一、存在的主要问题\n（一）{ITEM[1]}。{ITEM[2]}{lead}\n二、下步整改措施\n"
                      "（一）加强学习。每周安排固定时间学习，做到学有所得。\n", encoding="utf-8")
    imported = run_gwmerge("import", source, "-o", tmp_path / "out")
    assert imported.code == 0 and "〔连排〕" not in imported.output, imported.output
    _, said = _check(tmp_path / "out" / "材料.xlsx")
    assert said == []


def test_the_page_says_it_too(tmp_path: Path) -> None:
    """The web page lists the workbook's check findings: the 连排 提醒 is among them."""
    import time
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from gwmerge.web import create_app
    from gwmerge.web.settings import Settings

    book = _book(tmp_path, [ITEM, *POINTS])
    (tmp_path / "jobs").mkdir()
    with TestClient(create_app(Settings(root=tmp_path / "jobs")), base_url="http://127.0.0.1") as client:
        assert client.get("/").status_code == 200
        response = client.post("/api/workbooks", files=[("files", (book.name, book.read_bytes()))])
        job = response.json()["job"]
        for _ in range(600):
            state = client.get(f"/api/jobs/{job}").json()
            if state["state"] in ("done", "failed"):
                break
            time.sleep(0.05)
    [file] = state["check"]["files"]
    texts = [f["text"] for f in file["findings"]]
    assert any("第4行、第5行、第6行、第7行将排在同一段里" in t and "单独成段" in t for t in texts), texts
