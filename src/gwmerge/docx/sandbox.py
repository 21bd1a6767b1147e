"""The Jinja sandbox templates render in, and the checks a template passes before it is used.

A template may come from anyone (``-t 我的模板.docx``). It renders in Jinja's sandbox with
autoescape, and this module adds bounds the sandbox lacks:

* work: every loop step over ``range``, call, filter, arithmetic and ``~`` counts against a budget
  (:data:`MAX_OPERATIONS` per template part), and a clock (:data:`MAX_SECONDS`);
* size: no value may grow past :data:`MAX_VALUE` characters/items, integer arguments past
  :data:`MAX_INT_ARG`, nor a part's output past :data:`MAX_OUTPUT` characters;
* ``{% include %}``, ``{% extends %}``, ``{% import %}`` and ``{% from %}`` are refused (a template
  is one file);
* unknown variables (``{{ titel }}``) are refused by name, before anything renders, and
  ``StrictUndefined`` catches the rest (``{{ p.titel }}``) while rendering.

:func:`check_template` also refuses package-level dangers: XML that is malformed or carries a DTD
(entity bombs, XXE), zip bombs, and external relationships other than hyperlinks (Word would fetch
them when the document opens).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import posixpath
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from gwmerge.core.errors import GwError, Location
from gwmerge.core.xmlsafe import SafeZip, Unsafe, parse

__all__ = ["ENV", "KNOWN_VARIABLES", "Limit", "Sandbox", "check_template"]

MAX_OPERATIONS = 2_000_000
MAX_SECONDS = 30.0
MAX_VALUE = 5_000_000
MAX_INT_ARG = 100_000
MAX_OUTPUT = 50_000_000

#: What :func:`gwmerge.docx.render.context` gave a template at the time of writing; the check uses the
#: names of the context actually passed (``known``), so new variables need no change here.
KNOWN_VARIABLES = frozenset(
    {"title", "signature", "title_text", "name_line", "paragraphs", "unit", "name", "position", "date",
     "subtitle", "signer", "year"}
)


class Limit(Exception):
    """A template went past one of the bounds; ``what`` says which, in Chinese."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class _Budget:
    __slots__ = ("deadline", "left")

    def __init__(self) -> None:
        self.left = MAX_OPERATIONS
        self.deadline = time.monotonic() + MAX_SECONDS


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("gwmerge_template_budget", default=None)


def _tick(n: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.left -= n
    if budget.left < 0:
        raise Limit("运算次数过多，可能有无尽的循环")
    if budget.left % 1024 < n and time.monotonic() > budget.deadline:
        raise Limit(f"运行超过 {MAX_SECONDS:.0f} 秒，可能有无尽的循环")


def _sized(value: Any) -> Any:
    if isinstance(value, str | bytes | list | tuple | dict | set) and len(value) > MAX_VALUE:
        raise Limit("产生的内容过大")
    return value


_BIG_WIDTH = re.compile(r"\d{6,}")


def _check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_INT_ARG:
            raise Limit(f"数值参数 {arg} 过大")
        if isinstance(arg, str) and ("%" in arg or "{" in arg) and _BIG_WIDTH.search(arg):
            raise Limit("格式宽度过大")


def _counted_range(*args: int) -> Iterator[int]:
    _check_args(args)
    for i in range(*args):
        _tick()
        yield i


class _BoundedTemplate(Template):
    """Renders through ``generate`` so that output size and time are checked as it is produced."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _BUDGET.set(_Budget())
        try:
            size = 0
            out = []
            for chunk in self.generate(*args, **kwargs):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise Limit("输出过大")
                _tick()
                out.append(chunk)
            return "".join(out)
        finally:
            _BUDGET.reset(token)


class _CodeGenerator(CodeGenerator):
    """``a ~ b`` goes through the environment so that it is counted and its size bounded."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.bounded_concat({func_name}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _bounded_filter(fn: Callable[..., Any]) -> Callable[..., Any]:
    skip = 2 if getattr(fn, "jinja_pass_arg", None) is not None else 1  # context/env, then the value
    if fn.__name__ == "do_format":
        skip -= 1  # the value is the format string: its widths count

    @functools.wraps(fn)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        _check_args(args[skip:])
        _check_args(kwargs.values())
        return _sized(fn(*args, **kwargs))

    return bounded


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox with autoescape, strict variables, bounds, and each template part compiled
    once (docxtpl compiles every part anew for each document; in a batch they are the same text)."""

    code_generator_class = _CodeGenerator
    template_class = _BoundedTemplate
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self.globals["range"] = _counted_range
        self.globals.pop("lipsum", None)
        self.filters = {name: _bounded_filter(fn) for name, fn in self.filters.items()}
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            if len(self._compiled) > 64:
                self._compiled.clear()
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        _check_args(args)
        _check_args(kwargs.values())
        if getattr(__obj, "__name__", "") == "replace" and isinstance(getattr(__obj, "__self__", None), str):
            base, new = __obj.__self__, args[1] if len(args) > 1 else ""
            if isinstance(new, str) and len(base) * max(len(new), 1) > MAX_VALUE:
                raise Limit("产生的内容过大")
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"{:>9}".format(x)`` in a template: widths are bounded like everything else."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_args((value.__self__,))
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "**" and isinstance(right, int) and (abs(right) > 64 or isinstance(left, str | list)):
            raise Limit("乘方过大")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and len(a) * b > MAX_VALUE:
                    raise Limit("产生的内容过大")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 4096:
                raise Limit("数值过大")
        return _sized(super().call_binop(context, operator, left, right))

    def bounded_concat(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        _tick(len(parts))
        if sum(len(p) for p in parts if isinstance(p, str)) > MAX_VALUE:
            raise Limit("产生的内容过大")
        return join(parts)


ENV = Sandbox()


# ---------------------------------------------------------------- template checks

_checked: dict[tuple[object, ...], None] = {}
_FORBIDDEN = {nodes.Include: "{% include %}", nodes.Extends: "{% extends %}", nodes.Import: "{% import %}",
              nodes.FromImport: "{% from … import %}"}
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def check_template(template: Path | bytes, known: Iterable[str] = KNOWN_VARIABLES) -> None:
    """Refuse a template that is unsafe or cannot work; one sentence naming the problem.

    ``known`` are the variables the template will be given. Checked once per template (path and
    modification time, or content hash) and set of variables.
    """
    known = frozenset(known)
    if isinstance(template, Path):
        try:
            stat = template.stat()
        except OSError:
            return  # reported where it is opened
        key: tuple[object, ...] = (str(template.resolve()), stat.st_mtime_ns, stat.st_size, known)
        where = Location(template)
    else:
        key = (hashlib.sha256(template).hexdigest(), known)
        where = Location()
    if key in _checked:
        return
    _check_package(template, where)
    _check_jinja(template, where, known)
    if len(_checked) > 256:
        _checked.clear()
    _checked[key] = None


_PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_WORD_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_NOT_DOCX = "模板不是有效的 .docx 文件，请用 Word 打开后另存为 .docx。"


def _check_package(template: Path | bytes, where: Location) -> None:
    import io
    import zipfile


    try:
        with SafeZip(template if isinstance(template, Path) else io.BytesIO(template)) as package:
            roots: dict[str, etree._Element] = {}
            for name in package.names():
                # Every part is read once (within the budgets): python-docx reads them all later,
                # and a damaged picture must be this sentence, not an error deep inside it.
                data = package.read(name)
                if not name.lower().endswith((".xml", ".rels")):
                    continue
                try:
                    root = roots[name.lstrip("/").casefold()] = parse(data, name)
                except etree.XMLSyntaxError as exc:
                    raise GwError(f"模板文件内部的 XML 格式有误（{name}），请用 Word 打开后另存为 .docx 再用。",
                                  where) from exc
                if name.lower().endswith(".rels"):
                    for rel in root:
                        if rel.get("TargetMode") == "External" and rel.get("Type") != _HYPERLINK:
                            raise GwError(f"模板含有指向外部地址的链接（{rel.get('Target', '')[:80]}），"
                                          "Word 打开生成的文档时会去访问它；请从模板中删除后再用。", where)
            _check_parts(roots, package.has, where)
    except Unsafe as exc:
        raise GwError(f"模板文件{exc.reason}，为安全起见没有使用。", where) from exc
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError, EOFError) as exc:
        raise GwError(_NOT_DOCX, where) from exc


def _check_parts(roots: dict[str, etree._Element], has: Callable[[str], bool], where: Location) -> None:
    """The parts python-docx and docxtpl need: said here in one sentence each, since they fail on
    a missing one with a KeyError or an AttributeError of their own (a broken package, an
    Excel file renamed .docx, Word's "Strict Open XML" format)."""
    if not has("[Content_Types].xml") or "_rels/.rels" not in roots:
        raise GwError(_NOT_DOCX, where)
    main = next((rel.get("Target", "") for rel in roots["_rels/.rels"]
                 if rel.get("Type", "").endswith("/officeDocument")), None)
    if main is None:
        raise GwError(_NOT_DOCX, where)
    main = posixpath.normpath(main.lstrip("/"))
    if main.casefold().startswith("xl/"):
        raise GwError("这是 Excel 工作簿，不是 Word 模板；模板请用 Word 制作并保存为 .docx。", where)
    root = roots.get(main.casefold())
    if root is None:
        raise GwError(f"模板缺少正文部分（{main}），文件已损坏；请用 Word 打开后另存为 .docx。", where)
    if root.tag == f"{{{_STRICT_WORD_NS}}}document":
        raise GwError("模板是“Strict Open XML 文档”格式，请在 Word 中另存为“Word 文档（*.docx）”后再用。", where)
    if root.tag != f"{{{_WORD_NS}}}document" or root.find(f"{{{_WORD_NS}}}body") is None:
        raise GwError(f"模板的正文部分（{main}）不是 Word 文档的正文，请用 Word 打开后另存为 .docx。", where)
    folder, name = posixpath.split(main)
    rels = roots.get(posixpath.join(folder, "_rels", f"{name}.rels").casefold())
    for rel in rels if rels is not None else ():
        if rel.tag != f"{{{_PKG_RELS_NS}}}Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if not has(part):
            raise GwError(f"模板引用的部件 {part[:80]} 在文件中缺失（文件已损坏），请用 Word 打开后另存为 .docx。",
                          where)


def _check_jinja(template: Path | bytes, where: Location, known: frozenset[str]) -> None:
    import io
    import zipfile

    from docx.opc.exceptions import OpcError
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    try:
        doc = DocxTemplate(template if isinstance(template, Path) else io.BytesIO(template))
        doc.init_docx()
        xml = doc.patch_xml(doc.get_xml())
        for uri in (doc.HEADER_URI, doc.FOOTER_URI):
            for _, part in doc.get_headers_footers(uri):
                xml += doc.patch_xml(doc.get_part_xml(part))
        tree = ENV.parse(xml)
    except TemplateSyntaxError as exc:
        raise GwError(f"模板有误（{exc.message}），请检查模板中的 {{{{ }}}} 与 {{% %}} 标记。", where) from exc
    except etree.XMLSyntaxError as exc:
        raise GwError("模板文件内部的 XML 格式有误，请用 Word 打开后另存为 .docx 再用。", where) from exc
    except (KeyError, ValueError, AttributeError, TypeError, zipfile.BadZipFile, OpcError) as exc:
        # python-docx opening a package the checks above let through (its own errors, in English).
        raise GwError(_NOT_DOCX, where) from exc
    for node_type, tag in _FORBIDDEN.items():
        if next(tree.find_all(node_type), None) is not None:
            raise GwError(f"模板不能使用 {tag}（模板必须是一个完整的文件，不能引用其他模板）；请删除这一标记。", where)
    from jinja2 import meta

    unknown = sorted(meta.find_undeclared_variables(tree) - known - set(ENV.globals))
    if unknown:
        names = "、".join(f"{{{{ {name} }}}}" for name in unknown[:5])
        raise GwError(f"模板中的变量 {names} 不存在（可能拼错了）；可用的变量有：{'、'.join(sorted(known))}。", where)
    loops = [loop for loop in tree.find_all(nodes.For)
             if isinstance(loop.iter, nodes.Name) and loop.iter.name == "paragraphs"]
    if not loops:
        raise GwError("模板里没有正文段落的循环，生成的文档会没有正文；请加入 {%p for p in paragraphs %}"
                      "{{r p.rich }}{%p endfor %}（见说明文档）。", where)
