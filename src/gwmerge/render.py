"""docxtpl rendering and writing the .docx safely; the only module that knows docxtpl.

Templates render in Jinja's sandbox with autoescape on: a template may come from elsewhere,
and user text such as ``&``, ``<`` or ``{{ }}`` must come out literally.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate, RichText, RichTextParagraph
from jinja2 import TemplateError, UndefinedError
from jinja2.exceptions import SecurityError

from . import roles, sandbox
from .errors import GwError, Location
from .layout import Para, Plan, Signature

GENERATOR = "gwmerge"
CHAR_STYLES = roles.CHAR_STYLES
_SIGNATURE_STYLE = roles.PARAGRAPH_STYLES[roles.SIGNATURE]


_ENV = sandbox.ENV


class _Paragraph:
    """What a template sees of one paragraph: ``p.kind``, ``p.rich`` (styled runs), ``p.text``."""

    __slots__ = ("kind", "rich", "text")

    def __init__(self, para: Para) -> None:
        self.kind = para.kind
        self.text = para.text
        self.rich = RichText()
        for run in para.runs:
            self.rich.add(run.text, style=CHAR_STYLES[run.role])


def _signature(sign: Signature | None) -> RichTextParagraph | None:
    """Name and date paragraphs; their right indents vary per document, so they are built here."""
    if sign is None:
        return None
    block = RichTextParagraph()
    for text, indent in ((sign.name, sign.name_indent), (sign.date, sign.date_indent)):
        if text:
            chars = round(indent * 100)
            # Automatic spacing between Chinese and digits would widen the date past its measure.
            block.xml += (f'<w:p><w:pPr><w:pStyle w:val="{_SIGNATURE_STYLE}"/><w:autoSpaceDE w:val="0"/>'
                          f'<w:autoSpaceDN w:val="0"/><w:ind w:right="{chars * 16 // 5}" '
                          f'w:rightChars="{chars}"/></w:pPr>{RichText(text).xml}</w:p>')
    return block


def context(plan: Plan) -> dict[str, object]:
    """The variables a template can use (documented in the README)."""
    return {
        "title": RichText("\n".join(plan.title_lines)),
        "signature": _signature(plan.signature),
        "title_text": plan.title,
        "name_line": plan.name_line,
        "subtitle": plan.subtitle,
        "signer": plan.signer,
        "year": plan.year,
        "paragraphs": [_Paragraph(p) for p in plan.paragraphs],
        "unit": plan.unit,
        "name": plan.name,
        "position": plan.position,
        "date": plan.date,
    }


def render(plan: Plan, template: Path | bytes, dest: Path) -> None:
    """Render one document and move it into place only once it is complete.

    ``template`` is a .docx file or its bytes (a kind's template rebuilt for another profile).
    """
    where = Location(template) if isinstance(template, Path) else Location()
    variables = context(plan)
    sandbox.check_template(template, variables)
    try:
        doc = DocxTemplate(template if isinstance(template, Path) else io.BytesIO(template))
        doc.render(variables, jinja_env=_ENV)
    except sandbox.Limit as exc:
        raise GwError(f"模板运行超出限制（{exc.what}），已停止；请检查模板中的 {{% for %}} 循环和运算。",
                      where) from exc
    except (RecursionError, MemoryError) as exc:
        raise GwError("模板运行超出限制（递归过深或内存不足），已停止；请检查模板中的宏和循环。", where) from exc
    except UndefinedError as exc:
        raise GwError(f"模板用到了不存在的变量或属性（{exc.message}），请检查拼写；可用的变量见说明文档。",
                      where) from exc
    except SecurityError as exc:
        raise GwError("模板试图执行不允许的操作，已拒绝；模板只能使用说明文档中列出的变量。", where) from exc
    except TemplateError as exc:
        raise GwError(f"模板有误：{exc.message or exc}，请检查模板中的 {{{{ }}}} 与 {{% %}} 标记。",
                      where) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise GwError("模板不是有效的 .docx 文件，请用 Word 打开后另存为 .docx。", where) from exc
    _drop_empty_runs(doc.docx.element.body)
    props = doc.docx.core_properties
    props.title = plan.title
    props.author = plan.name or GENERATOR
    props.last_modified_by = GENERATOR
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.created = props.modified = now
    write_atomic(dest, doc.save)


def _drop_empty_runs(body: Any) -> None:
    """docxtpl leaves the template run's empty shell around each ``{{r …}}``; remove it."""
    for run in body.xpath("//w:r[count(*) = 1 and w:t[not(text())]]"):
        run.getparent().remove(run)


def write_atomic(dest: Path, save: Callable[[str], object]) -> None:
    """Write through a temp file in the same folder, so no half-written file is ever left."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=dest.suffix, dir=dest.parent)
    except OSError as exc:
        raise GwError(f"无法创建输出文件夹（{exc.strerror or exc}），请换一个位置。", Location(dest.parent)) from exc
    os.close(fd)
    try:
        save(tmp)
        os.replace(tmp, dest)
    except PermissionError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise GwError("无法写入（文件可能正在 Word 或 WPS 中打开），请关闭后重试。", Location(dest)) from exc
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise GwError(f"无法写入（{exc.strerror or exc}），请检查输出文件夹。", Location(dest)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_LAST_MODIFIED_BY = re.compile(rb"<cp:lastModifiedBy>([^<]*)</cp:lastModifiedBy>")


def edited_by_hand(path: Path) -> bool:
    """Whether an existing output was saved by someone else (Word/WPS) since gwmerge wrote it."""
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return True
    m = _LAST_MODIFIED_BY.search(core)
    return not (m and m.group(1).decode("utf-8", "replace") == GENERATOR)
