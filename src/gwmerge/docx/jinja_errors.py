"""Jinja's own error messages, said in Chinese with the template paragraph they are in.

Jinja says "Unexpected end of template. Jinja was looking for the following tags: 'endfor'…";
a template author in a township office needs "第 3 段的 {% for %} 没有对应的 {% endfor %}". The
source handed to Jinja has one template paragraph per line (``\\n`` before each ``<w:p``), so a
line number is a paragraph; which block is still open is found by walking Jinja's own tokens.
"""

from __future__ import annotations

import re

from jinja2 import TemplateError

__all__ = ["describe"]

_BLOCKS = {"for", "if", "macro", "call", "filter", "with", "autoescape", "block", "trans"}
_NAMES = {"end of print statement": "}}", "end of statement block": "%}", "end of template": "模板结尾"}


def _paragraph(source: str, lineno: int | None) -> str:
    """“第 N 段（“开头几个字”）” of a line of the source, or "" when it is not known."""
    if not lineno:
        return ""
    lines = source.split("\n")
    if not 1 <= lineno <= len(lines):
        return ""
    text = re.sub(r"<[^>]*>", "", lines[lineno - 1]).strip()
    text = re.sub(r"\{[{%#].*?(?:[}%#]\}|$)", "", text).strip()  # the tags themselves are said apart
    quoted = f"（“{text[:20]}{'…' if len(text) > 20 else ''}”）" if text else ""
    return f"第 {lineno - 1} 段{quoted}" if lineno > 1 else "开头"


def _open_block(source: str, env: object) -> tuple[str, int] | None:
    """The innermost block tag still open at the end of the source, and its line."""
    stack: list[tuple[str, int]] = []
    after_begin = False
    try:
        for lineno, kind, value in env.lex(source):  # type: ignore[attr-defined]
            if kind == "block_begin":
                after_begin = True
                continue
            if kind == "whitespace":
                continue
            if after_begin and kind == "name":
                if value in _BLOCKS:
                    stack.append((value, lineno))
                elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
                    stack.pop()
            after_begin = False
    except TemplateError:
        pass
    return stack[-1] if stack else None


def _token(name: str) -> str:
    return _NAMES.get(name, name)


def describe(exc: TemplateError, source: str, env: object) -> str:
    """A Chinese phrase (no final 。) for a template syntax or compile error."""
    message = getattr(exc, "message", None) or str(exc)
    lineno = getattr(exc, "lineno", None)
    where = _paragraph(source, lineno)
    at = f"{where}" if where else "模板中"
    m = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
    if message.startswith("Unexpected end of template"):
        found = _open_block(source, env)
        tag = found[0] if found else (m.group(1) if m else "")
        place = _paragraph(source, found[1]) if found else ""
        return f"{place or '模板中'}的 {{% {tag} %}} 没有对应的 {{% end{tag} %}}，请补上"
    if message.startswith("Encountered unknown tag"):
        tag = re.search(r"unknown tag '([^']*)'", message)
        name = tag.group(1) if tag else ""
        if m:
            return f"{at}的 {{% {name} %}} 与前面的 {{% {m.group(1)} %}} 没有配对（嵌套顺序有误），请检查"
        if name.startswith("end"):
            return f"{at}的 {{% {name} %}} 前面没有对应的 {{% {name[3:]} %}}，请删去或补上"
        return f"{at}有不认识的标记 {{% {name} %}}，请检查拼写"
    if message.startswith("No filter named"):
        name = re.search(r"'([^']*)'", message)
        return f"{at}用了不存在的过滤器“{name.group(1) if name else ''}”，请检查拼写"
    if message.startswith("No test named"):
        name = re.search(r"'([^']*)'", message)
        return f"{at}用了不存在的判断“is {name.group(1) if name else ''}”，请检查拼写"
    if message.startswith("unexpected char"):
        char = re.search(r"unexpected char '(.*)' at", message)
        return f"{at}的标记里有不能识别的字符“{char.group(1) if char else ''}”，请删去"
    if message.startswith("Missing end of comment"):
        return f"{at}的注释 {{# 没有对应的 #}}，请补上"
    if message.startswith("Missing end of raw"):
        return f"{at}的 {{% raw %}} 没有对应的 {{% endraw %}}，请补上"
    if message == "tag name expected":
        return f"{at}的 {{% %}} 里缺少标记名（如 for、if），请补上"
    expected = re.search(r"expected (?:token )?'([^']*)'", message)
    if expected:
        return f"{at}的标记写法有误（这里应是“{_token(expected.group(1))}”），请检查 {{{{ }}}} 与 {{% %}} 是否写完整"
    return f"{at}的 {{{{ }}}} 或 {{% %}} 标记写法有误，请检查是否成对、是否写完整"
