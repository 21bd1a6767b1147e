"""Any text imports without a crash and loses nothing: only ordinals and white space may change."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwmerge.document import layout, numbering
from gwmerge.document.kinds import Kind
from gwmerge.document.model import Document
from gwmerge.read.recognise import recognise
from gwmerge.read.txt import paragraphs as txt_paragraphs

FRAGMENTS = ["一、", "二、", "三、", "（一）", "（二）", "(三)", "1.", "2、", "（1）", "(2)", "一是", "二是", "三是",
             "其一", "第一部分", "统一是", "学习不够深入", "“两个确立”", "。", "，", "：", "；", "！", "”", "“",
             "=SUM(A1)", "——在会上的发言", "2025年1月15日", "张三", "中共某某镇委员会", " ", "\u3000", "方面",
             "以上", "mzshh", "1.5亿元"]
# Characters ordinals are made of: renumbering may change these, nothing else.
ORDINAL_CHARS = set("一二三四五六七八九十百〇零（）()、.．0123456789０１２３４５６７８９是其第部分章节 \u3000\t，,：:")

line = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map("".join)


def _kept(text: str) -> str:
    return "".join(ch for ch in text if ch not in ORDINAL_CHARS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, min_size=1, max_size=14))
def test_any_text_imports_and_keeps_its_words(lines: list[str]) -> None:
    source = Path("随机.txt")
    paras, findings = txt_paragraphs("\n".join(lines), source)
    if not paras:
        return
    found = recognise(paras, source, findings)
    plan = layout.plan(numbering.number(found.document), found.kind)
    out = [*plan.title_lines, plan.subtitle, plan.name_line, *(p.text for p in plan.paragraphs)]
    if plan.signature is not None:
        out += [plan.signature.name, plan.signature.date]
    assert _kept("".join(out)) == _kept("".join(p.text for p in paras))


def _shape(doc: Document, kind: Kind) -> list[object]:
    plan = layout.plan(numbering.number(doc), kind)
    return [plan.title_lines, plan.subtitle, plan.name_line, [(p.text, p.kind) for p in plan.paragraphs],
            plan.signature and (plan.signature.name, plan.signature.date)]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(line, min_size=1, max_size=12))
def test_the_workbook_says_exactly_what_was_recognised(lines: list[str]) -> None:
    """Written to a workbook and read back, the document lays out to the same paragraphs."""
    import tempfile

    from gwmerge import api
    from gwmerge.write import from_document as to_workbook

    source = Path("随机.txt")
    paras, findings = txt_paragraphs("\n".join(lines), source)
    if not paras:
        return
    found = recognise(paras, source, findings)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "导入.xlsx"
        assert to_workbook.write(found.document, book) == []
        doc, kind, _ = api.read(book)
    assert kind.id == found.kind.id
    assert _shape(doc, kind) == _shape(found.document, found.kind)
