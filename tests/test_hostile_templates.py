"""Hostile own templates (-t), through the installed command under a time and memory cap: work and
size are bounded, odd calls are one Chinese sentence, user text stays text under any template,
and fields Word would fetch are refused. Each beside a good template that still works."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SHEETS
from process import MEMORY_LIMIT, one_sentence, run_gwmerge
from test_template_sandbox import LOOP, _patch, _template

CAP = 90  # seconds, against hangs (the template budget itself stops work within seconds)


def _merge(tmp_path: Path, template: Path, book: Path | None = None):
    book = book or Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx"))
    return run_gwmerge("merge", book, "-o", tmp_path / "out", "-t", template, "--force",
                       memory=MEMORY_LIMIT, timeout=CAP)


def _good_still_works(tmp_path: Path) -> None:
    good = _template(tmp_path / "好模板.docx", "{{ title_text }}", *LOOP)
    done = _merge(tmp_path, good)
    assert done.code == 0, done.output
    assert (tmp_path / "out" / "示例-党员.docx").is_file()


RUNAWAY = {
    "字符串里的循环": ("{% for a in 'x' * 900000 %}{% for b in 'x' * 900000 %}{% endfor %}{% endfor %}",
                 "运算次数过多"),
    "嵌套列表": ("{% set l = [[1] * 3000] * 3000 %}{% for a in l %}{% for b in a %}{% endfor %}{% endfor %}",
             "运算次数过多"),
    "wordwrap": ("{{ ('x' * 900000)|wordwrap(2) }}", "wordwrap 处理的文字过长"),
    "indent": ("{{ ('x\\n' * 400000)|indent(99999) }}", "产生的内容过大"),
    "百分号宽度": ("{{ '%0999999999d' % 1 }}", "格式宽度过大"),
    "星号宽度": ("{{ '%*d' % (999999999, 1) }}", "数值参数 999999999 过大"),
    "ljust": ("{{ 'x'.ljust(99999) * 99 }}", "产生的内容过大"),
}


@pytest.mark.parametrize("name", RUNAWAY)
def test_runaway_templates_stop_within_the_budget(tmp_path: Path, name: str) -> None:
    body, words = RUNAWAY[name]
    tpl = _template(tmp_path / "失控.docx", body, *LOOP)
    done = _merge(tmp_path, tpl)
    assert done.code == 1 and "内部错误" not in done.output and "Traceback" not in done.output, done.output
    assert f"失控.docx：模板运行超出限制（{words}" in done.stdout, done.output
    assert not (tmp_path / "out" / "示例-党员.docx").exists()
    _good_still_works(tmp_path)


ODD = {
    "format_map": ("{{ '{0.__class__}'.format_map({'a': 1}) }}", "format_map 不能在模板中使用"),
    "indent 怪参数": ("{{ title_text|indent('a', 'b', 'c', 'd') }}", "过滤器 indent 的参数不对"),
    "indent 列表宽度": ("{{ 'a\nb'|indent(width=[1]) }}", "过滤器 indent 的参数不对"),
    "方法参数": ("{{ title_text.center('x') }}", "调用 center 时参数不对"),
    "除以零": ("{{ 1 // 0 }}", "运算 // 用在了不合适的值上"),
}


@pytest.mark.parametrize("name", ODD)
def test_odd_calls_are_one_chinese_sentence(tmp_path: Path, name: str) -> None:
    body, words = ODD[name]
    tpl = _template(tmp_path / "怪.docx", body, *LOOP)
    done = _merge(tmp_path, tpl)
    assert done.code == 1 and "内部错误" not in done.output and "Traceback" not in done.output, done.output
    assert f"怪.docx：模板用了不允许的写法（{words}" in done.stdout, done.output
    _good_still_works(tmp_path)


# ---------------------------------------------------------------- user text is text

#: A cell that closes its run and plants a field Word fills from the network when it opens.
PAYLOAD = ('</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
           ' INCLUDEPICTURE "http://attacker.example/x.png" \\d </w:instrText></w:r><w:r>'
           '<w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>')


@pytest.mark.parametrize("lines", [
    ("{{ title_text|safe }}", "{%p for p in paragraphs %}", "{{ p.text|safe }}", "{%p endfor %}"),
    ("{% autoescape false %}{{ title_text }}{% endautoescape %}", "{%p for p in paragraphs %}",
     "{% autoescape false %}{{ p.text }}{% endautoescape %}", "{%p endfor %}"),
    ("{{ (title_text ~ '')|safe|replace('无关', '也无关') }}", "{%p for p in paragraphs %}", "{{ p.text|safe|trim }}",
     "{%p endfor %}"),
], ids=["safe", "autoescape-false", "safe-after-filters"])
def test_cell_text_never_becomes_word_xml_whatever_the_template(tmp_path: Path, lines: tuple[str, ...]) -> None:
    book = Path(shutil.copy(SHEETS / "示例-党员.xlsx", tmp_path / "示例-党员.xlsx"))
    wb = openpyxl.load_workbook(book)
    assert wb["基本信息"]["A4"].value == "标题"
    wb["基本信息"]["B4"] = "标题" + PAYLOAD + "结尾"
    wb["存在的问题"]["C5"] = "正文" + PAYLOAD + "结尾"
    wb.save(book)
    tpl = _template(tmp_path / "safe.docx", *lines)
    done = _merge(tmp_path, tpl, book)
    assert done.code == 0, done.output
    with zipfile.ZipFile(tmp_path / "out" / "示例-党员.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<w:instrText" not in xml and "<w:fldChar" not in xml, xml[:2000]
    # The characters typed are in the document as text (escaped in the XML), title and body.
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = [t.text or "" for t in etree.fromstring(xml.encode()).iter(f"{w}t")]
    assert any(f"标题{PAYLOAD}结尾" in t for t in texts), texts[:3]
    assert any(f"正文{PAYLOAD}结尾" in t for t in texts), texts


# ---------------------------------------------------------------- fields Word fetches

@pytest.mark.parametrize(("field", "split"), [
    ('INCLUDEPICTURE "http://attacker.example/x.png" \\d', False),
    ('INCLUDETEXT "C:\\\\机密\\\\名单.docx"', False),
    ('INCLUDEPICTURE "http://attacker.example/y.png"', True),
], ids=["includepicture", "includetext", "split-across-runs"])
def test_template_fields_word_would_fetch_are_refused(tmp_path: Path, field: str, split: bool) -> None:
    tpl = _template(tmp_path / "域.docx", "图片：", *LOOP)
    if split:  # Word often cuts an instruction into several runs
        half = len(field) // 2
        instr = "".join(f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>'
                        for part in (field[:half], field[half:]))
    else:
        instr = f'<w:r><w:instrText xml:space="preserve"> {field} </w:instrText></w:r>'
    runs = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>' + instr
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    _patch(tpl, "word/document.xml", lambda d: d.replace("图片：</w:t></w:r>".encode(),
                                                         ("图片：</w:t></w:r>" + runs).encode(), 1))
    done = _merge(tmp_path, tpl)
    line = one_sentence(done) if done.stderr.strip() else done.stdout
    word = field.split()[0]
    assert f"模板含有 {word} 域" in line, done.output
    assert not (tmp_path / "out" / "示例-党员.docx").exists()
    _good_still_works(tmp_path)


def test_ordinary_fields_are_fine(tmp_path: Path) -> None:
    """A page number or a hyperlink field is Word's own, not a fetch: the template is used."""
    tpl = _template(tmp_path / "页码.docx", "页：", *LOOP)
    runs = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            '<w:fldSimple w:instr=" HYPERLINK &quot;http://a.example&quot; "><w:r><w:t>链接</w:t></w:r></w:fldSimple>')
    anchor = "页：</w:t></w:r>"
    _patch(tpl, "word/document.xml", lambda d: d.replace(anchor.encode(), (anchor + runs).encode(), 1))
    done = _merge(tmp_path, tpl)
    assert done.code == 0, done.output


# ---------------------------------------------------------------- Jinja's errors, in Chinese

@pytest.mark.parametrize(("lines", "said"), [
    (("正文之前", "{% if title_text %}", "标题在此"), "第 2 段的 {% if %} 没有对应的 {% endif %}"),
    (("第一段", "{% endif %}"), "第 2 段的 {% endif %} 前面没有对应的 {% if %}"),
    (("{% if 1 %}{% for a in [1] %}{% endif %}",), "第 1 段的 {% endif %} 与前面的 {% for %} 没有配对"),
    (("{{ title_text|nofilter }}",), "第 1 段用了不存在的过滤器“nofilter”"),
    (("{{ title_text $ }}",), "第 1 段的标记里有不能识别的字符“$”"),
], ids=["unclosed", "stray-end", "nesting", "filter", "char"])
def test_jinja_errors_are_said_in_chinese_with_the_paragraph(tmp_path: Path, lines: tuple[str, ...],
                                                              said: str) -> None:
    tpl = _template(tmp_path / "有误.docx", *lines, *LOOP)
    done = _merge(tmp_path, tpl)
    assert done.code == 1
    line = next(line for line in done.output.splitlines() if "有误.docx" in line)
    assert said in line, line
    # No English from Jinja inside the sentence (tag names aside).
    assert not re.search(r"Jinja|Unexpected|Encountered|expected|named", line), line
    _good_still_works(tmp_path)
