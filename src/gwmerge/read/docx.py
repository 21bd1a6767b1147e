"""Reading a .docx material into source paragraphs (located as 第 N 段).

Parsed with lxml through :mod:`xmlsafe`: the zip's declared sizes are checked before anything is
inflated and every part is read within a budget (a zip bomb never reaches memory); the parser
resolves no entities, loads no DTD and reaches no network. Word's own list numbering is
rendered into the text the way Word shows it (``lvlText`` with ``numFmt``, counted per list
and level), so ``（一）`` numbered by Word reads like one typed by hand.
Tables are read as tables (rows of cell text); pictures and text boxes are reported as not imported.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gwmerge.core import xmlsafe
from gwmerge.core.errors import Finding, GwError, Location, Severity, os_message
from gwmerge.core.text import clean
from gwmerge.core.xmlsafe import SafeZip, Unsafe
from gwmerge.document import ordinals
from gwmerge.read.recognise import Hint, SourcePara

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MAX_FILE = 100 * 1024 * 1024
# Our own templates' paragraph styles, and what they say about a paragraph.
_OWN_STYLES = {"GwTitle": Hint.TITLE, "GwSubtitle": Hint.SUBTITLE, "GwNameLine": Hint.NAME_LINE,
               "GwSignature": Hint.SIGNATURE, "GwAddressee": Hint.ADDRESSEE,
               "GwHeading1": Hint.HEADING, "GwHeading2": Hint.HEADING, "GwHeading3": Hint.HEADING,
               "GwBody": Hint.BODY, "GwBodyKeepNext": Hint.BODY}
_SKIPPED = {"drawing": "图片", "pict": "图片或文本框", "object": "嵌入对象", "AlternateContent": "图片或文本框"}
_ENCLOSED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PAREN_DIGITS = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_CAPITAL = "零壹贰叁肆伍陆柒捌玖拾"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _check_file(path: Path) -> None:
    where = Location(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError as exc:
        raise GwError("找不到这个文件，请检查路径。", where) from exc
    except OSError as exc:
        raise GwError(f"文件无法读取（{os_message(exc)}）。", where) from exc
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise GwError("这是加密的文档或旧版 .doc/.wps 文件，请在 Word 或 WPS 中去掉密码并另存为 .docx 后再导入。",
                      where)
    if size > MAX_FILE:
        raise GwError(f"文件过大（{size // 1024 // 1024} MB），请检查是否选错文件。", where)


def _part(package: SafeZip, name: str) -> etree._Element | None:
    """One XML part, read within budget and parsed with the hardened parser; None when absent."""
    if not package.has(name):
        return None
    return xmlsafe.parse(package.read(name), name)


# ---------------------------------------------------------------- styles and list numbering


@dataclass
class _Style:
    name: str = ""
    based_on: str | None = None
    jc: str = ""
    num: tuple[str, int] | None = None


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = ""
    start: int = 1
    suffix: str = "tab"


@dataclass
class _Numbering:
    """Word list definitions and the running counters.

    Word counts per abstract list, not per ``w:num``: lists that share one (a "continue
    numbering" list) go on from each other's numbers, and a ``startOverride`` ("restart at 1")
    sets the shared counter when its list is first used.
    """

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    starts: dict[str, dict[int, int]] = field(default_factory=dict)
    abstract: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # per abstractNumId
    used: set[tuple[str, int]] = field(default_factory=set)  # (numId, level) seen

    def render(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(self.abstract.get(num_id, f"num {num_id}"), {})
        override = self.starts.get(num_id, {})
        if ilvl in override and (num_id, ilvl) not in self.used:
            counters[ilvl] = override[ilvl] - 1
        self.used.add((num_id, ilvl))
        counters[ilvl] = counters.get(ilvl, override.get(ilvl, levels[ilvl].start) - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        level = levels[ilvl]
        if level.fmt in ("bullet", "none"):
            return ""
        text = level.text
        for k in range(9):
            if f"%{k + 1}" in text:
                lv = levels.get(k, _Level())
                value = counters.get(k, override.get(k, lv.start))
                text = text.replace(f"%{k + 1}", _number(value, lv.fmt))
        return text + ("" if level.suffix == "nothing" else " ")


def _number(n: int, fmt: str) -> str:
    """A list number the way Word shows it in format ``fmt``."""
    if n < 1:
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting", "ideographDigital", "koreanCounting"):
        return ordinals.chinese(n)
    if fmt == "chineseLegalSimplified" and n <= 10:
        return _CAPITAL[n]
    if fmt in ("ideographTraditional",) and n <= len(_TIANGAN):
        return _TIANGAN[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and n <= len(_ENCLOSED):
        return _ENCLOSED[n - 1]
    if fmt == "decimalEnclosedParen" and n <= len(_PAREN_DIGITS):
        return _PAREN_DIGITS[n - 1]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _val(el: etree._Element | None, default: str = "") -> str:
    return el.get(w("val"), default) if el is not None else default


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def _read_numbering(root: etree._Element | None) -> _Numbering:
    numbering = _Numbering()
    if root is None:
        return numbering
    abstract: dict[str, dict[int, _Level]] = {}
    for node in root.findall(w("abstractNum")):
        levels: dict[int, _Level] = {}
        for lvl in node.findall(w("lvl")):
            levels[_int(lvl.get(w("ilvl"), "0"), 0)] = _Level(
                fmt=_val(lvl.find(w("numFmt")), "decimal"), text=_val(lvl.find(w("lvlText"))),
                start=_int(_val(lvl.find(w("start")), "1"), 1), suffix=_val(lvl.find(w("suff")), "tab"))
        abstract[node.get(w("abstractNumId"), "")] = levels
    for num in root.findall(w("num")):
        num_id = num.get(w("numId"), "")
        abstract_id = _val(num.find(w("abstractNumId")))
        numbering.levels[num_id] = dict(abstract.get(abstract_id, {}))
        numbering.abstract[num_id] = abstract_id
        for override in num.findall(w("lvlOverride")):
            ilvl = _int(override.get(w("ilvl"), "0"), 0)
            start = override.find(w("startOverride"))
            if start is not None:
                numbering.starts.setdefault(num_id, {})[ilvl] = _int(_val(start, "1"), 1)
    return numbering


def _num_pr(ppr: etree._Element | None) -> tuple[str, int] | None:
    num_pr = ppr.find(w("numPr")) if ppr is not None else None
    if num_pr is None:
        return None
    return _val(num_pr.find(w("numId")), "0"), _int(_val(num_pr.find(w("ilvl")), "0"), 0)


def _read_styles(root: etree._Element | None) -> dict[str, _Style]:
    styles: dict[str, _Style] = {}
    if root is None:
        return styles
    for node in root.findall(w("style")):
        ppr = node.find(w("pPr"))
        styles[node.get(w("styleId"), "")] = _Style(
            name=_val(node.find(w("name"))).lower(),
            based_on=_val(node.find(w("basedOn"))) or None,
            jc=_val(ppr.find(w("jc"))) if ppr is not None else "",
            num=_num_pr(ppr))
    return styles


def _style_chain(styles: dict[str, _Style], style_id: str | None) -> list[tuple[str, _Style]]:
    chain: list[tuple[str, _Style]] = []
    while style_id and style_id in styles and len(chain) < 20:
        chain.append((style_id, styles[style_id]))
        style_id = styles[style_id].based_on
    return chain


# ---------------------------------------------------------------- paragraphs


@dataclass
class _Reader:
    path: Path
    styles: dict[str, _Style]
    numbering: _Numbering
    paras: list[SourcePara] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    number: int = 0
    auto_numbered: int = 0
    first_auto: Location | None = None
    bare_headings: list[Location] = field(default_factory=list)  # heading style, no ordinal

    def where(self) -> Location:
        return Location(self.path, None, f"第 {self.number} 段")

    def block(self, parent: etree._Element) -> None:
        for child in parent:
            tag = _local(child.tag)
            if tag == "p":
                self.paragraph(child)
            elif tag == "tbl":
                self.table(child)
            elif tag == "sdt":
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.block(content)
            elif tag == "altChunk":
                self.findings.append(Finding(Location(self.path, None, f"第 {self.number} 段之后"),
                                             "嵌入的其他文档没有导入。", Severity.WARNING))
            elif tag in ("customXml", "ins", "moveTo"):
                self.block(child)

    def table(self, tbl: etree._Element) -> None:
        """A table is read as one source paragraph holding its rows of cell text (hint TABLE).

        A table of one cell is a frame drawn around text (a bordered box): its paragraphs are read.
        A cell's paragraphs are kept as lines of the cell; a nested table's text stays in its cell.
        """
        rows = tbl.findall(w("tr"))
        cells = [cell for row in rows for cell in row.iter(w("tc"))]
        if len(rows) == 1 and len(cells) == 1:
            self.block(cells[0])
            return
        found: list[tuple[str, ...]] = []
        for row in rows:
            texts = []
            for cell in row.findall(w("tc")):
                lines = []
                for para in cell.iter(w("p")):
                    parts: list[str] = []
                    self.runs(para, parts, [])
                    lines.append(clean("".join(parts)).replace("\n", "").strip())
                texts.append("\n".join(line for line in lines if line))
            while texts and not texts[-1]:
                texts.pop()
            if texts:
                found.append(tuple(texts))
        if not found:
            return
        self.number += 1
        text = "\n".join("｜".join(row) for row in found)
        self.paras.append(SourcePara(text, self.where(), Hint.TABLE, tuple(found)))

    def paragraph(self, p: etree._Element) -> None:
        self.number += 1
        ppr = p.find(w("pPr"))
        style_id = _val(ppr.find(w("pStyle"))) if ppr is not None else ""
        chain = _style_chain(self.styles, style_id or None)
        texts: list[str] = []
        skipped: list[str] = []
        self.runs(p, texts, skipped)
        for what in dict.fromkeys(skipped):
            self.findings.append(Finding(self.where(), f"{what}没有导入，合并后请手动补上。", Severity.WARNING))
        text = clean("".join(texts))
        prefix = self.list_number(ppr, chain)
        if prefix and text.strip():
            text = prefix + text
        hint = self.hint(ppr, chain)
        heading_style = bool(chain) and chain[0][1].name.startswith(("heading", "标题 "))
        if heading_style and text.strip() and ordinals.match(text) is None:
            self.bare_headings.append(self.where())
        lines = [line for line in text.split("\n")]
        if hint is Hint.TITLE or len([line for line in lines if line.strip()]) <= 1:
            self.paras.append(SourcePara(text if hint is Hint.TITLE else text.replace("\n", ""), self.where(), hint))
            return
        self.findings.append(Finding(self.where(), "段内有手动换行，已按换行拆成几段。", Severity.WARNING))
        for line in lines:
            if line.strip():
                self.paras.append(SourcePara(line, self.where(), hint))

    def runs(self, parent: etree._Element, texts: list[str], skipped: list[str]) -> None:
        for child in parent:
            tag = _local(child.tag)
            if tag in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText", "footnoteReference",
                       "endnoteReference", "commentReference", "fldData"):
                continue
            if tag in _SKIPPED:
                skipped.append(_SKIPPED[tag])
                continue
            if tag == "r" and _hidden(child):
                continue  # hidden text: Word does not show it, so it is not the material's text
            if tag == "t":
                texts.append(child.text or "")
            elif tag == "tab":
                texts.append(" ")
            elif tag in ("br", "cr"):
                texts.append("\n")
            elif tag == "noBreakHyphen":
                texts.append("-")
            elif tag == "sym":
                code = child.get(w("char"), "")
                try:
                    value = int(code, 16)
                except ValueError:
                    value = 0
                if 0x20 <= value < 0xF000:
                    texts.append(chr(value))
            else:
                self.runs(child, texts, skipped)

    def list_number(self, ppr: etree._Element | None, chain: list[tuple[str, _Style]]) -> str:
        num = _num_pr(ppr)
        if num is None:
            num = next((style.num for _, style in chain if style.num is not None), None)
        if num is None or num[0] in ("", "0"):
            return ""
        text = self.numbering.render(*num)
        if text.strip():
            self.auto_numbered += 1
            self.first_auto = self.first_auto or self.where()
        return text

    def hint(self, ppr: etree._Element | None, chain: list[tuple[str, _Style]]) -> Hint:
        for style_id, style in chain[:1]:
            if style_id in _OWN_STYLES:
                return _OWN_STYLES[style_id]
            if style.name in ("title", "标题"):
                return Hint.TITLE
            if style.name in ("subtitle", "副标题"):
                return Hint.SUBTITLE
        jc = ppr.find(w("jc")) if ppr is not None else None
        align = _val(jc) if jc is not None else next((style.jc for _, style in chain if style.jc), "")
        if align == "center":
            return Hint.CENTER
        return Hint.SIGNATURE if align in ("right", "end") else Hint.NONE


def _hidden(run: etree._Element) -> bool:
    vanish = run.find(f"{w('rPr')}/{w('vanish')}")
    return vanish is not None and _val(vanish, "1") not in ("0", "false", "off")


def read(path: Path) -> tuple[list[SourcePara], list[Finding]]:
    """Source paragraphs of a .docx body in reading order, with what could not be imported."""
    where = Location(path)
    _check_file(path)
    try:
        with SafeZip(path) as package:
            document = _part(package, "word/document.xml")
            if document is None:
                if package.has("xl/workbook.xml"):
                    raise GwError("这是 Excel 工作簿，只是扩展名为 .docx；工作簿请用 gwmerge merge 生成文档。", where)
                raise GwError("不是有效的 Word 文档（缺少正文部分），请用 Word 或 WPS 打开后另存为 .docx。", where)
            reader = _Reader(path, _read_styles(_part(package, "word/styles.xml")),
                             _read_numbering(_part(package, "word/numbering.xml")))
    except Unsafe as exc:
        raise GwError(f"无法导入：{exc.reason}。", where) from exc
    except (zipfile.BadZipFile, etree.XMLSyntaxError, EOFError, RuntimeError, ValueError) as exc:
        raise GwError("不是有效的 .docx 文件（可能已损坏），请用 Word 或 WPS 打开后另存为 .docx。", where) from exc
    except OSError as exc:
        raise GwError(f"文件无法读取（{os_message(exc)}）。", where) from exc
    body = document.find(w("body"))
    if body is None:
        if "purl.oclc.org" in str(document.tag):
            raise GwError("这是“严格 Open XML”格式的文档，请在 Word 中另存为普通的“Word 文档 (.docx)”后再导入。", where)
        raise GwError("文档没有正文。", where)
    reader.block(body)
    if reader.auto_numbered:
        reader.findings.insert(0, Finding(reader.first_auto or where,
                                          f"{reader.auto_numbered} 段用了 Word 自动编号，已按显示的序号导入。",
                                          Severity.WARNING))
    if reader.bare_headings:
        # A heading marked only by its style has no ordinal to say its level: none is made up.
        reader.findings.append(Finding(reader.bare_headings[0], f"{len(reader.bare_headings)} 段用了 Word 的标题样式，"
                                       "却没有“一、”“（一）”这样的序号，已按普通段落原样导入；要排成标题，"
                                       "请在原文中加上序号后重新导入。", Severity.WARNING))
    return reader.paras, reader.findings
