"""The Jinja sandbox templates render in, and the checks a template passes before it is used.

A template may come from anyone (``-t 我的模板.docx``). It renders in Jinja's sandbox with
autoescape, and this module adds bounds the sandbox lacks:

* work: every step of every ``{% for %}`` loop (over a range, a string, a list), call, filter,
  arithmetic and ``~`` counts against a budget (:data:`MAX_OPERATIONS` per template part), and a
  clock (:data:`MAX_SECONDS`);
* size: no value may grow past :data:`MAX_VALUE` characters/items, integer arguments past
  :data:`MAX_INT_ARG`, nor a part's output past :data:`MAX_OUTPUT` characters; what a filter,
  ``*`` or ``%`` would allocate is worked out before it runs (``'%0999999999d' % 1`` is refused,
  not built);
* errors: a filter or a method given odd arguments, ``format_map`` and the like are one Chinese
  sentence (:class:`Refused`), never an internal error;
* user text is text: every string a ``{{ }}`` outputs is escaped, whatever the template says
  (``|safe`` changes nothing, ``{% autoescape false %}`` neither), so a cell holding Word XML
  (an ``INCLUDEPICTURE`` field) comes out as the characters typed;
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
from markupsafe import escape

from gwmerge.core.errors import GwError, Location
from gwmerge.core.xmlsafe import SafeZip, Unsafe, parse

__all__ = ["ENV", "KNOWN_VARIABLES", "Limit", "Refused", "Sandbox", "check_template"]

MAX_OPERATIONS = 2_000_000
MAX_SECONDS = 30.0
MAX_VALUE = 1_000_000
MAX_INT_ARG = 100_000
MAX_OUTPUT = 50_000_000

#: What :func:`gwmerge.docx.render.context` gave a template at the time of writing; the check uses the
#: names of the context actually passed (``known``), so new variables need no change here.
KNOWN_VARIABLES = frozenset(
    {"title", "has_title", "signature", "title_text", "name_line", "paragraphs", "unit", "name", "position", "date",
     "subtitle", "signer", "year"}
)


class Limit(Exception):
    """A template went past one of the bounds; ``what`` says which, in Chinese."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Refused(Exception):
    """A template asked for something the sandbox does not do; ``what`` says what, in Chinese."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


#: What a filter or a method raises when given odd arguments: said as the template's mistake.
_CALL_ERRORS = (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError, ZeroDivisionError,
                LookupError, UnicodeError)


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


def _counted_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    """What every ``{% for %}`` iterates: each step counts, whatever it walks over."""
    for item in iterable:
        _tick()
        yield item


def _escaped(value: Any) -> Any:
    """Every string a ``{{ }}`` outputs, escaped even where the template turned escaping off;
    objects that render themselves (docxtpl's RichText, escaped Markup) pass as they are."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return escape(value)
    return value


def _same(value: Any) -> Any:
    """``|safe``: the value as it is (then escaped like any other); user text never becomes XML."""
    return value


def _width(value: Any, default: int) -> int:
    if isinstance(value, str):
        return len(value)
    return value if isinstance(value, int) else default


def _before(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """What a filter would build, worked out before it runs (it allocates before ``_sized`` sees it)."""
    value = args[0] if args else None
    if not isinstance(value, str):
        return
    if name == "indent":
        width = _width(args[1] if len(args) > 1 else kwargs.get("width", 4), 4)
        if len(value) + (value.count("\n") + 1) * max(width, 0) > MAX_VALUE:
            raise Limit("产生的内容过大")
    elif name == "wordwrap":
        width = _width(args[1] if len(args) > 1 else kwargs.get("width", 79), 79)
        # textwrap copies the rest of a long word for every line it cuts off: len² / width.
        if width < 1 or len(value) * len(value) > 2_000_000_000 * width:
            raise Limit("wordwrap 处理的文字过长")
    elif name == "replace":
        old = args[1] if len(args) > 1 else kwargs.get("old", "")
        new = args[2] if len(args) > 2 else kwargs.get("new", "")
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            times = value.count(old) if old else len(value) + 1
            if len(value) + times * len(new) > MAX_VALUE:
                raise Limit("产生的内容过大")
    elif name in ("center", "truncate") and _width(args[1] if len(args) > 1 else 0, 0) > MAX_VALUE:
        raise Limit("产生的内容过大")


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


def _bounded_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    skip = 2 if getattr(fn, "jinja_pass_arg", None) is not None else 1  # context/env, then the value
    if fn.__name__ == "do_format":
        skip -= 1  # the value is the format string: its widths count

    @functools.wraps(fn)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        _check_args(args[skip:])
        _check_args(kwargs.values())
        _before(name, args[skip - 1:], kwargs)
        try:
            return _sized(fn(*args, **kwargs))
        except _CALL_ERRORS as exc:
            raise Refused(f"过滤器 {name} 的参数不对") from exc

    return bounded


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox with autoescape, strict variables, bounds, and each template part compiled
    once (docxtpl compiles every part anew for each document; in a batch they are the same text)."""

    code_generator_class = _CodeGenerator
    template_class = _BoundedTemplate
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    intercepted_unops = frozenset({"+", "-"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, finalize=_escaped)
        self.globals["range"] = _counted_range
        self.globals.pop("lipsum", None)
        self.counted_iter = _counted_iter
        # urlize writes <a href> tags (Markup) around user text: no place in Word XML.
        self.filters = {name: _bounded_filter(name, _same if name == "safe" else fn)
                        for name, fn in self.filters.items() if name != "urlize"}
        self._compiled: dict[str, Template] = {}

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        """Every ``{% for %}`` walks through :func:`_counted_iter` (only the compiled code changes:
        the checks look at the template as written)."""
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("counted_iter"), [loop.iter], [], None, None,
                                   lineno=loop.iter.lineno)
        return super()._generate(source, name, filename, defer_init)

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
        if __obj is _counted_iter:
            return _counted_iter(*args)
        _check_args(args)
        _check_args(kwargs.values())
        target = getattr(__obj, "__wrapped__", __obj)  # str.format(_map) comes wrapped by the sandbox
        method = getattr(target, "__name__", "")
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            if method == "format_map":
                raise Refused("format_map 不能在模板中使用，请直接写 {{ 变量 }}")
            if method == "replace":
                new = args[1] if len(args) > 1 else ""
                if isinstance(new, str) and len(owner) * max(len(new), 1) > MAX_VALUE:
                    raise Limit("产生的内容过大")
            if method in ("center", "ljust", "rjust", "zfill", "expandtabs") and args:
                width = args[0] if isinstance(args[0], int) else 0
                if method == "expandtabs":
                    width *= owner.count("\t")
                if width > MAX_VALUE:
                    raise Limit("产生的内容过大")
        try:
            return _sized(super().call(__context, __obj, *args, **kwargs))
        except _CALL_ERRORS as exc:
            raise Refused(f"调用 {method or '函数'} 时参数不对") from exc

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"{:>9}".format(x)`` in a template: widths are bounded like everything else."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_args((value.__self__,))
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "%" and isinstance(left, str):
            # printf-style formatting: widths in the string ('%0999999999d') and given as '*' values.
            _check_args((left, *(right if isinstance(right, tuple) else (right,))))
            if isinstance(right, dict):
                _check_args(right.values())
        if operator == "**" and isinstance(right, int) and (abs(right) > 64 or isinstance(left, str | list)):
            raise Limit("乘方过大")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and len(a) * b > MAX_VALUE:
                    raise Limit("产生的内容过大")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 4096:
                raise Limit("数值过大")
        try:
            return _sized(super().call_binop(context, operator, left, right))
        except _CALL_ERRORS as exc:
            raise Refused(f"运算 {operator} 用在了不合适的值上") from exc

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
                if name.lower().startswith("word/"):
                    _check_fields(root, name, where)
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


#: Fields Word fills from elsewhere when the document opens or is printed (a picture or text
#: from a URL or a file, a link to another program): refused for the reason external
#: relationships are.
_FETCHING_FIELD = re.compile(r"\s*(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|IMPORT|LINK|DDEAUTO|DDE)\b", re.IGNORECASE)


def _field_codes(root: etree._Element) -> Iterator[str]:
    """Each field's instruction as Word reads it: ``fldSimple/@instr``, and the ``instrText``
    runs between a ``fldChar begin`` and its ``separate``/``end`` (nested fields each on their own)."""
    w = f"{{{_WORD_NS}}}"
    stack: list[list[str] | None] = []  # per open field: its instruction so far (None once said)
    for el in root.iter(f"{w}fldSimple", f"{w}fldChar", f"{w}instrText"):
        kind = el.get(f"{w}fldCharType")
        if el.tag == f"{w}fldSimple":
            yield el.get(f"{w}instr", "")
        elif el.tag == f"{w}instrText":
            if stack and stack[-1] is not None:
                stack[-1].append(el.text or "")
        elif kind == "begin":
            stack.append([])
        elif kind in ("separate", "end") and stack:
            code = stack.pop() if kind == "end" else stack[-1]
            if code is not None:
                yield "".join(code)
            if kind == "separate":
                stack[-1] = None


def _check_fields(root: etree._Element, name: str, where: Location) -> None:
    for code in _field_codes(root):
        m = _FETCHING_FIELD.match(code)
        if m:
            raise GwError(f"模板含有 {m.group(1).upper()} 域（{code.strip()[:80]}），Word 打开或打印生成的文档时"
                          "会去读取其中的网址或文件；请在 Word 中按 Alt+F9 显示域代码，删除这个域后再用。", where)


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
    from jinja2 import TemplateError, TemplateSyntaxError

    from gwmerge.docx import jinja_errors

    try:
        doc = DocxTemplate(template if isinstance(template, Path) else io.BytesIO(template))
        doc.init_docx()
        xml = doc.patch_xml(doc.get_xml())
        for uri in (doc.HEADER_URI, doc.FOOTER_URI):
            for _, part in doc.get_headers_footers(uri):
                xml += doc.patch_xml(doc.get_part_xml(part))
        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)  # one paragraph a line: an error's line is its paragraph
        tree = ENV.parse(xml)
    except TemplateSyntaxError as exc:
        raise GwError(f"模板有误：{jinja_errors.describe(exc, xml, ENV)}。", where) from exc
    except etree.XMLSyntaxError as exc:
        raise GwError("模板文件内部的 XML 格式有误，请用 Word 打开后另存为 .docx 再用。", where) from exc
    except (KeyError, ValueError, AttributeError, TypeError, zipfile.BadZipFile, OpcError) as exc:
        # python-docx opening a package the checks above let through (its own errors, in English).
        raise GwError(_NOT_DOCX, where) from exc
    for node_type, tag in _FORBIDDEN.items():
        if next(tree.find_all(node_type), None) is not None:
            raise GwError(f"模板不能使用 {tag}（模板必须是一个完整的文件，不能引用其他模板）；请删除这一标记。", where)
    from jinja2 import meta

    try:
        unknown = sorted(meta.find_undeclared_variables(tree) - known - set(ENV.globals))
    except TemplateError as exc:  # a filter that does not exist is found here
        raise GwError(f"模板有误：{jinja_errors.describe(exc, xml, ENV)}。", where) from exc
    if unknown:
        names = "、".join(f"{{{{ {name} }}}}" for name in unknown[:5])
        raise GwError(f"模板中的变量 {names} 不存在（可能拼错了）；可用的变量有：{'、'.join(sorted(known))}。", where)
    loops = [loop for loop in tree.find_all(nodes.For)
             if isinstance(loop.iter, nodes.Name) and loop.iter.name == "paragraphs"]
    if not loops:
        raise GwError("模板里没有正文段落的循环，生成的文档会没有正文；请加入 {%p for p in paragraphs %}"
                      "{{r p.rich }}{%p endfor %}（见说明文档）。", where)
    try:  # what only compiling finds (a filter that does not exist), said like the rest
        ENV.compile(tree)
    except TemplateError as exc:
        raise GwError(f"模板有误：{jinja_errors.describe(exc, xml, ENV)}。", where) from exc
