"""import → workbook → merge gives back the source's paragraphs; format does it in one step.

Every test reads the paragraphs a person would see in the written .docx (text, and the
paragraph style that gives each its look), never internal structures.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import SEED, SHEETS
from docx import Document as WordDocument
from docx.shared import Pt
from lxml import etree
from openpyxl import load_workbook

from gwmerge import api
from gwmerge.core.errors import GwError
from gwmerge.document import sheetformat as sf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(text, paragraph style) of every non-empty body paragraph; a line break reads as \\n."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    found = []
    for p in root.iter(f"{W}p"):
        text = "".join("\n" if el.tag in (f"{W}br", f"{W}cr") else (el.text or "")
                       for el in p.iter(f"{W}t", f"{W}br", f"{W}cr"))
        style = p.find(f"{W}pPr/{W}pStyle")
        if text.strip():
            found.append((text, style.get(f"{W}val") if style is not None else ""))
    return found


def texts(path: Path) -> list[str]:
    return [text for text, _ in paragraphs(path)]


def seed_lines() -> list[str]:
    """The seed as written (placeholders and typos included: import never corrects)."""
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def import_and_merge(source: Path, tmp: Path, kind: str | None = None) -> tuple[Path, api.Outcome]:
    """The whole user path: gwmerge import, then gwmerge merge of the workbook it wrote."""
    [imported] = api.import_documents([source], tmp / "books", kind)
    assert imported.ok, imported.error or imported.crash
    [merged] = api.merge([imported.output], tmp / "out")
    assert merged.ok, merged.error or merged.crash
    return merged.output, imported


def plain_docx(path: Path, lines: list[str], font: str = "Calibri") -> Path:
    """A draft as typed in Word: one paragraph per line, default style, single spacing, no indents."""
    doc = WordDocument()
    style = doc.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(11)
    style.paragraph_format.line_spacing = 1.0
    style.paragraph_format.first_line_indent = Pt(0)
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)
    return path


# ---------------------------------------------------------------- the seed


def test_seed_txt_imports_and_merges_back_to_its_17_paragraphs(tmp_path: Path) -> None:
    out, imported = import_and_merge(SEED, tmp_path)
    assert texts(out) == seed_lines()
    assert len(seed_lines()) == 17
    assert imported.recognised is not None
    assert [(h, i, p) for h, i, p in imported.recognised.sections] == [
        ("存在的主要问题", 5, 15), ("产生问题的主要原因", 3, 0), ("下步的改进措施", 4, 0)]


def test_seed_as_plain_docx_imports_and_merges_back(tmp_path: Path) -> None:
    source = plain_docx(tmp_path / "seed.docx", seed_lines())
    out, _ = import_and_merge(source, tmp_path)
    assert texts(out) == seed_lines()


def test_format_calibri_draft_gives_official_document_with_seed_text(tmp_path: Path) -> None:
    source = plain_docx(tmp_path / "草稿.docx", seed_lines())
    [outcome] = api.format_documents([source], tmp_path / "out")
    assert outcome.ok, outcome.error or outcome.crash
    assert texts(outcome.output) == seed_lines()
    [checked] = api.verify([outcome.output])
    assert checked.findings == []
    assert not (tmp_path / "out" / "草稿.xlsx").exists()


def test_format_keeps_the_workbook_only_when_asked(tmp_path: Path) -> None:
    source = plain_docx(tmp_path / "草稿.docx", seed_lines())
    [outcome] = api.format_documents([source], tmp_path / "out", keep_workbook=True)
    assert outcome.ok
    book = tmp_path / "out" / "草稿.xlsx"
    [merged] = api.merge([book], tmp_path / "again")
    assert texts(merged.output) == seed_lines()


# ---------------------------------------------------------------- round trip of merge outputs


@pytest.mark.parametrize("example", sorted(p.name for p in SHEETS.glob("*.xlsx")))
def test_every_example_output_imports_and_merges_back_identically(example: str, tmp_path: Path) -> None:
    [first] = api.merge([SHEETS / example], tmp_path / "first")
    assert first.ok
    again, _ = import_and_merge(first.output, tmp_path)
    assert paragraphs(again) == paragraphs(first.output)


# ---------------------------------------------------------------- cells are text


def test_every_written_cell_is_text_and_formula_lookalikes_stay_text(tmp_path: Path) -> None:
    source = tmp_path / "公式.txt"
    lines = ["关于某事的说明材料", "=HYPERLINK(\"http://x\",\"点我\")这样的写法不是公式。", "一、情况",
             "+1 的说法要慎用。", "-这一段以减号开头。", "@某人 请注意。", "二、措施", "（一）加强学习。每天学习。"]
    source.write_text("\n".join(lines), encoding="utf-8")
    [imported] = api.import_documents([source], tmp_path / "books")
    assert imported.ok, imported.error or imported.crash
    wb = load_workbook(imported.output)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    seen += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    assert seen > 10
    [merged] = api.merge([imported.output], tmp_path / "out")
    assert merged.ok, merged.error
    assert texts(merged.output) == lines


def test_import_never_overwrites_without_force(tmp_path: Path) -> None:
    book = tmp_path / "seed.xlsx"
    book.write_bytes(b"filled in by hand")
    [outcome] = api.import_documents([SEED], book)
    assert not outcome.ok and "--force" in str(outcome.error)
    assert book.read_bytes() == b"filled in by hand"
    [outcome] = api.import_documents([SEED], book, force=True)
    assert outcome.ok


def test_every_hand_typed_workbook_variant_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each workbook that test_workbook_v2 types cell by cell merges to a document which imports
    and merges back to identical paragraphs (text and paragraph style)."""
    import inspect

    import test_workbook_v2

    written: list[Path] = []
    real_merge = api.merge

    def recording(*args: object, **kwargs: object) -> list[api.Outcome]:
        outcomes = real_merge(*args, **kwargs)  # type: ignore[arg-type]
        written.extend(o.output for o in outcomes if o.output is not None)
        return outcomes

    monkeypatch.setattr(api, "merge", recording)
    cases = [f for name, f in vars(test_workbook_v2).items()
             if name.startswith("test_") and list(inspect.signature(f).parameters) == ["tmp_path"]]
    assert len(cases) >= 10
    for number, case in enumerate(cases):
        folder = tmp_path / f"case{number}"
        folder.mkdir()
        case(folder)
    monkeypatch.setattr(api, "merge", real_merge)
    assert len(written) >= 10
    for number, first in enumerate(written):
        again, _ = import_and_merge(first, tmp_path / f"again{number}")
        assert paragraphs(again) == paragraphs(first), first


def test_format_never_writes_over_its_source_or_a_twin(tmp_path: Path) -> None:
    source = plain_docx(tmp_path / "草稿.docx", seed_lines())
    twin = tmp_path / "草稿.txt"
    twin.write_text("\n".join(seed_lines()), encoding="utf-8")
    before = source.read_bytes()
    outcomes = api.format_documents([source, twin], tmp_path)
    assert [o.ok for o in outcomes] == [False, False]
    assert "原文件" in str(outcomes[0].error) and "同名" in str(outcomes[1].error)
    assert source.read_bytes() == before
    with pytest.raises(GwError):
        api.import_documents([source, twin], tmp_path / "一个.xlsx")


def test_a_name_spaced_out_in_the_signature_is_a_person(tmp_path: Path) -> None:
    # Two-character names are spaced to the width of three in signatures: 张  三, 张　三.
    for name in ("张  三", "张　三"):
        source = tmp_path / "个人.txt"
        source.write_text(f"个人对照检查材料\n\n一、存在的问题\n（一）理论学习方面。学习不够系统深入。\n\n{name}\n"
                          "2025年1月18日\n", encoding="utf-8")
        out, imported = import_and_merge(source, tmp_path / name)
        assert imported.recognised is not None and imported.recognised.kind.id == "民主生活会"
        assert imported.recognised.document.info[sf.FIELD_NAME].value == name
        assert sf.FIELD_SIGNER not in imported.recognised.document.info
        assert texts(out)[-2:] == [name, "2025年1月18日"]


def test_a_signature_dated_to_the_month(tmp_path: Path) -> None:
    source = tmp_path / "班子.txt"
    source.write_text("中共某某镇委员会领导班子\n2024年度民主生活会对照检查材料\n\n一、存在的主要问题\n"
                      "（一）在理论学习方面：理论学习的系统性不够。\n\n中共某某镇委员会\n二〇二五年一月\n",
                      encoding="utf-8")
    out, imported = import_and_merge(source, tmp_path)
    assert imported.recognised is not None
    info = imported.recognised.document.info
    assert info[sf.FIELD_SIGNER].value == "中共某某镇委员会" and info[sf.FIELD_DATE].value == "2025年1月"
    assert texts(out)[-2:] == ["中共某某镇委员会", "2025年1月"]
    said = [str(f) for f in imported.findings if "只写到月份" in f.message]
    assert said == ["班子.txt › 第 8 行：日期“2025年1月”只写到月份；成文日期一般写全年、月、日（如 2025年1月15日），"
                    "材料本来只写到月份时可不改。"]


def test_parts_named_by_the_author_are_not_questioned_at_merge(tmp_path: Path) -> None:
    source = tmp_path / "个人.txt"
    source.write_text("个人对照检查材料\n\n一、存在的问题\n（一）理论学习方面。学习不够系统深入。\n"
                      "二、原因剖析\n（一）理想信念有所弱化。认识不足。\n三、整改措施\n（一）加强理论学习。每月自学两次。\n",
                      encoding="utf-8")
    _, imported = import_and_merge(source, tmp_path / "own")
    assert imported.recognised is not None
    assert imported.recognised.document.info[sf.FIELD_CHECKS_OFF].value == "部分"
    [merged] = api.check([tmp_path / "own" / "books" / "个人.xlsx"])
    assert [f for f in merged.findings if f.rule == "部分"] == []
    # The seed's parts are the kind's own: nothing is switched off.
    _, seed = import_and_merge(SEED, tmp_path / "seed")
    assert seed.recognised is not None and sf.FIELD_CHECKS_OFF not in seed.recognised.document.info


def test_what_import_notes_is_not_taken_for_content(tmp_path: Path) -> None:
    # “存在的问题：” cannot be a sheet name (Excel forbids “:”): import writes a 部分标题 row with a note.
    source = tmp_path / "提纲.txt"
    source.write_text("个人发言提纲\n\n一、存在的问题：\n（一）理论学习方面。学习的主动性不强。\n"
                      "二、整改措施：\n（一）加强学习。每周自学不少于3小时。\n", encoding="utf-8")
    out, _ = import_and_merge(source, tmp_path)
    assert "一、存在的问题：" in texts(out)
    [checked] = api.check([tmp_path / "books" / "提纲.xlsx"])
    assert [str(f) for f in checked.findings if f.rule == "备注像正文"] == []


def test_a_labelled_signature_is_the_signature(tmp_path: Path) -> None:
    source = tmp_path / "发言提纲.txt"
    source.write_text("2024年度组织生活会个人发言提纲\n\n一、存在的问题\n（一）理论学习方面。学习的主动性不强。\n\n"
                      "                    发言人：王小明\n                    2025年1月10日\n", encoding="utf-8")
    out, imported = import_and_merge(source, tmp_path)
    assert imported.recognised is not None
    info = imported.recognised.document.info
    assert (info[sf.FIELD_SIGNER].value, info[sf.FIELD_NAME].value) == ("发言人：王小明", "王小明")
    assert imported.recognised.kind.id == "组织生活会"
    from gwmerge.docx.effective import EffectiveDoc

    last = [(p.style_id, p.text) for p in EffectiveDoc(out).paragraphs() if p.text.strip()][-2:]
    assert last == [("GwSignature", "发言人：王小明"), ("GwSignature", "2025年1月10日")]
