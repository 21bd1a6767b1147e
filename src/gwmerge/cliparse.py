"""The command line's grammar: commands and their options declared once, parsed with argparse, and
every word printed about them (help screens, usage errors) in Chinese.

argparse rather than typer/click: their help screens and usage errors are English templates
("Usage:", "[OPTIONS]", "No such option", "Missing argument", "Try … for help") drawn by code that
changes from one version to the next (typer 0.29 reports a bad ``-j`` through pydantic's English),
so a Chinese command line meant patching their internals. argparse is the standard library: it
only parses, and each message it would print comes through :meth:`_Parser.error`, where it is said
again in Chinese from what it names. ``gwmerge --help`` imports no third-party package, and the
offline bundle loses typer, click, shellingham and pydantic.

A command is a function registered with :func:`command`, its parameters declared beside it with
:func:`arg` (positional) and :func:`opt` (an option or a switch).
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

PROG = "gwmerge"
SUMMARY = "把 Excel 工作簿合并为符合 GB/T 9704 公文格式的 Word 文档（对照检查材料、检视剖析材料等）。"


@dataclass(frozen=True)
class Param:
    """One positional argument (no flags) or option of a command."""

    flags: tuple[str, ...]
    dest: str
    help: str
    metavar: str = ""  # the value's name as help shows it; "" for a switch
    default: Any = None
    nargs: str | None = None  # positionals: "+" (one or more) or "*" (any)
    many: bool = False  # an option that may be given several times
    type: Callable[[str], Any] | None = None

    @property
    def switch(self) -> bool:
        return bool(self.flags) and not self.metavar

    def names(self) -> str:
        return ", ".join(self.flags) if self.flags else self.metavar


def arg(dest: str, metavar: str, help: str, *, nargs: str = "+") -> Param:
    return Param((), dest, help, metavar, [] if nargs == "*" else None, nargs, type=Path)


def opt(*flags: str, help: str, metavar: str = "", default: Any = None, many: bool = False,
        type: Callable[[str], Any] | None = None, dest: str | None = None) -> Param:
    name = dest or next(f for f in flags if f.startswith("--")).lstrip("-").replace("-", "_")
    if not metavar:
        default = False
    return Param(tuple(flags), name, help, metavar, default, many=many, type=type)


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    func: Callable[[argparse.Namespace], None]
    params: tuple[Param, ...]
    example: str = ""
    notes: tuple[str, ...] = field(default=())


COMMANDS: dict[str, Command] = {}

HELP = opt("-h", "--help", help="显示这条说明。")
DEBUG = opt("--debug", help="出错时显示详细的技术信息（traceback）。")


def command(name: str, summary: str, *params: Param, example: str = "",
            notes: tuple[str, ...] = ()) -> Callable[[Callable[[argparse.Namespace], None]],
                                                     Callable[[argparse.Namespace], None]]:
    """Register a command; the order of registration is the order of ``gwmerge -h``."""
    def register(func: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
        COMMANDS[name] = Command(name, summary, func, params, example, notes)
        return func
    return register


# ---------------------------------------------------------------- value types (their messages are Chinese)


_OWN = "应为"  # how the value types' messages start, told apart from argparse's own


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数（如 2），不能是“{text}”") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为 1 或更大的整数，不能是 {value}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为 1 到 65535 之间的整数（如 8000），不能是“{text}”") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"应为 1 到 65535 之间的整数（如 8000），不能是 {value}")
    return value


# ---------------------------------------------------------------- parsing


class UsageError(Exception):
    """The command line itself is wrong: one Chinese sentence and what to do."""

    def __init__(self, message: str, command: Command | None = None) -> None:
        super().__init__(message)
        self.command = command

    def render(self) -> str:
        if self.command is None:
            return f"错误：{self}\n用 {PROG} -h 查看全部命令，用 {PROG} 命令 -h 查看某个命令的用法。"
        example = f"例：{self.command.example}" if self.command.example else ""
        return (f"错误：{self}\n用 {PROG} {self.command.name} -h 查看这个命令的用法"
                + (f"；{example}" if example else "") + "。")


class ShowHelp(Exception):
    def __init__(self, command: Command | None = None) -> None:
        super().__init__()
        self.command = command


class ShowVersion(Exception):
    pass


class _HelpAction(argparse.Action):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["nargs"] = 0
        super().__init__(**kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        raise ShowHelp(getattr(parser, "command", None))


class _Parser(argparse.ArgumentParser):
    def __init__(self, command: Command) -> None:
        super().__init__(prog=f"{PROG} {command.name}", add_help=False, allow_abbrev=False)
        self.command = command

    def error(self, message: str) -> NoReturn:
        raise UsageError(_translate(message, self.command), self.command)


def _parser(command: Command) -> _Parser:
    parser = _Parser(command)
    for param in (*command.params, DEBUG, HELP):
        kwargs: dict[str, Any] = {"dest": param.dest, "default": param.default}
        if param is HELP:
            parser.add_argument(*param.flags, action=_HelpAction, dest="help", default=False)
            continue
        if not param.flags:
            parser.add_argument(param.dest, metavar=param.metavar, nargs=param.nargs, type=param.type,
                                **({"default": param.default} if param.nargs == "*" else {}))
            continue
        if param.switch:
            kwargs["action"] = "store_true"
        else:
            kwargs.update(metavar=param.metavar, type=param.type)
            if param.many:
                kwargs["action"] = "append"
        parser.add_argument(*param.flags, **kwargs)
    return parser


def parse(argv: list[str]) -> tuple[Command, argparse.Namespace]:
    """The command and its values; raises ShowHelp, ShowVersion or UsageError."""
    args = list(argv)
    debug = False
    while args and args[0].startswith("-") and args[0] != "-":
        flag = args.pop(0)
        if flag == "--debug":
            debug = True
        elif flag in ("-h", "--help"):
            raise ShowHelp(None)
        elif flag in ("-V", "--version"):
            raise ShowVersion()
        else:
            owners = [c.name for c in COMMANDS.values() if any(flag.split("=")[0] in p.flags for p in c.params)]
            where = f"，它是 {'、'.join(owners)} 命令的选项，要写在命令之后（如 {PROG} {owners[0]} … {flag}）" \
                if owners else ""
            raise UsageError(f"{PROG} 后面应先写命令（如 merge、check），不认识“{flag}”{where}。")
    if not args:
        raise ShowHelp(None)
    name = args.pop(0)
    command = COMMANDS.get(name)
    if command is None:
        close = difflib.get_close_matches(name, list(COMMANDS), n=1)
        hint = f"是不是要写 {close[0]}？" if close else ""
        raise UsageError(f"没有“{name}”这个命令。{hint}可用的命令：{'、'.join(COMMANDS)}。")
    parser = _parser(command)
    positional = any(not p.flags for p in command.params)
    values = parser.parse_intermixed_args(args) if positional else parser.parse_args(args)
    values.debug = values.debug or debug
    return command, values


def _param_of(name: str, command: Command) -> Param | None:
    """The parameter argparse names in a message ("-o/--output", or a positional's metavar)."""
    for param in command.params:
        if name in ("/".join(param.flags), param.metavar, param.dest) or name in param.flags:
            return param
    return None


def _translate(message: str, command: Command) -> str:
    """argparse's English message, said in Chinese from what it names (never echoed)."""
    options = [f for p in (*command.params, HELP, DEBUG) for f in p.flags]
    found = re.fullmatch(r"unrecognized arguments: (.*)", message, re.S)
    if found:
        words = found.group(1).split(" ")
        unknown = [w for w in words if w.startswith("-") and w != "-"]
        if unknown:
            word = unknown[0].split("=")[0]
            close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
            hint = f"，是不是要写 {close[0]}？" if close else "。"
            return f"{command.name} 命令没有“{word}”这个选项{hint}"
        if not any(not p.flags for p in command.params):
            return f"{command.name} 命令不用写文件或其他参数，多了“{words[0]}”（选项以 - 或 -- 开头）。"
        return f"多了“{words[0]}”，请检查命令的写法。"
    found = re.fullmatch(r"the following arguments are required: (.*)", message, re.S)
    if found:
        names = [n.strip() for n in found.group(1).split(",")]
        params = [p for p in (_param_of(n, command) for n in names) if p is not None]
        what = "、".join(f"{p.metavar}（{p.help.rstrip('。')}）" for p in params) or "参数"
        return f"缺少{what}。"
    found = re.fullmatch(r"argument (\S+): (.*)", message, re.S)
    if found:
        param = _param_of(found.group(1), command)
        name = param.names() if param else found.group(1)
        detail = found.group(2)
        if detail.startswith("expected"):
            if param is None or not param.metavar:
                return f"选项 {name} 后面要写一个值。"
            return f"选项 {name} 后面要写{param.metavar}，用空格隔开，如 {param.flags[0]} {param.metavar}。"
        if detail.startswith("ignored explicit argument"):
            return f"选项 {name} 是开关，后面不带值：直接写 {param.flags[-1] if param else name} 即可。"
        if detail.startswith(_OWN):  # a value type's own message (positive_int, port_number)
            return f"选项 {name} 的值不对：{detail}。"
        return f"选项 {name} 的值不对。"
    return "命令行的写法不对，请对照说明检查。"


# ---------------------------------------------------------------- help screens


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TOKEN = re.compile(r"[A-Za-z0-9_\-./{}\"'=:~$%+]+|\s+|.")
_NO_LINE_START = set("，。、；：？！）》」』”’…")


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Chinese breaks between characters, Latin between words."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if line and _width(line + token) > width and token[0] not in _NO_LINE_START and not token.isspace():
            lines.append(line.rstrip())
            line = ""
        if not line and token.isspace():
            continue
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _table(rows: list[tuple[str, str]], total: int) -> list[str]:
    left = min(max((_width(a) for a, _ in rows), default=0) + 2, 30)
    out: list[str] = []
    for name, text in rows:
        pad = left - _width(name)
        wrapped = _wrap(text, max(total - left - 2, 20))
        if pad < 2:  # a long name: its text starts on the next line
            out.append(f"  {name}")
        else:
            out.append(f"  {name}{' ' * pad}{wrapped.pop(0)}")
        out.extend(f"  {' ' * left}{line}" for line in wrapped)
    return out


def _columns() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 110))


def _default(param: Param) -> str:
    if param.switch or param.default in (None, "", [], ()) or param.many:
        return ""
    return f"（不写时为 {param.default}）"


def command_help(command: Command) -> str:
    total = _columns()
    usage = " ".join(p.metavar if p.nargs == "+" else f"[{p.metavar}]" for p in command.params if not p.flags)
    lines = [f"用法：{PROG} {command.name}{' ' + usage if usage else ''} [选项]", ""]
    lines += _wrap(command.summary, total)
    positionals = [(p.metavar, p.help) for p in command.params if not p.flags]
    if positionals:
        lines += ["", "参数：", *_table(positionals, total)]
    options = [(p.names() + (f" {p.metavar}" if p.metavar else ""),
                p.help.removesuffix("。") + _default(p) + ("（可写多次）" if p.many else "") + "。")
               for p in (*command.params, DEBUG, HELP) if p.flags]
    lines += ["", "选项：", *_table(options, total)]
    for note in command.notes:
        lines += ["", *_wrap(note, total)]
    if command.example:
        lines += ["", f"例：{command.example}"]
    return "\n".join(lines)


def main_help() -> str:
    total = _columns()
    lines = [f"用法：{PROG} [--debug] 命令 [参数和选项]", "", *_wrap(SUMMARY, total)]
    lines += ["", "命令：", *_table([(c.name, c.summary) for c in COMMANDS.values()], total)]
    top = [("--debug", "出错时显示详细的技术信息（写在命令之前，如 gwmerge --debug merge …）。"),
           ("--version", "显示版本号。"), ("-h, --help", "显示这条说明。")]
    lines += ["", "选项：", *_table(top, total)]
    lines += ["", f"每个命令的用法：{PROG} 命令 -h，如 {PROG} merge -h。"]
    return "\n".join(lines)
