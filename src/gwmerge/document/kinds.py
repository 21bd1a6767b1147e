"""Document kinds: a folder with a docxtpl template and a kind.toml definition.

A new kind or a new year's theme is a new or edited folder, never code. Kinds are looked up in
./templates (the user's working folder) first, then among the built-in ones: the top-level
``templates/`` folder of the project, shipped inside the package as ``gwmerge/templates``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwmerge.core.errors import GwError, Location
from gwmerge.document import sheetformat as sf
from gwmerge.document.model import Document
from gwmerge.document.profile import PROFILES, Profile, profile_with


def _builtin_dir() -> Path:
    """gwmerge/templates in an installed package, else the source tree's top-level templates/."""
    package = Path(__file__).resolve().parents[1]  # gwmerge/
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parents[1] / "templates"


BUILTIN_DIR = _builtin_dir()
DEFINITION = "kind.toml"
TEMPLATE = "template.docx"
POINTS_INLINE = "inline"
POINTS_SEPARATE = "separate"

# Every key a kind.toml may use; anything else is a typo that would silently change nothing.
_KEYS = {"name", "aliases", "description", "title_pattern", "name_line_pattern", "points", "signature",
         "profile", "profile_overrides", "sections", "themes", "checks_off"}
_SECTION_KEYS = {"heading", "hint", "aspects"}
_THEME_KEYS = {"year", "name", "aspects"}


@dataclass(frozen=True)
class SectionDef:
    heading: str
    hint: str = ""
    aspects: tuple[str, ...] = ()  # a user's older kind.toml: the aspects of its one unnamed theme


@dataclass(frozen=True)
class Theme:
    """A year's theme: the aspects (（一） headings) it asks for, by section heading."""

    year: int | None
    name: str
    aspects: dict[str, tuple[str, ...]] = field(compare=False)  # kinds are cache keys: keep them hashable

    @property
    def label(self) -> str:
        return f"{self.year}年 {self.name}" if self.year else self.name


@dataclass(frozen=True)
class Kind:
    id: str
    folder: Path
    name: str
    description: str
    title_patterns: tuple[str, ...]
    name_line_pattern: str
    points_inline: bool
    signature: bool
    profile: Profile
    sections: tuple[SectionDef, ...]
    aliases: tuple[str, ...] = field(default=())
    themes: tuple[Theme, ...] = field(default=())
    checks_off: tuple[str, ...] = field(default=())  # check rule ids switched off for this kind

    @property
    def title_pattern(self) -> str:
        """The pattern used when no other fits (the last one)."""
        return self.title_patterns[-1] if self.title_patterns else ""

    @property
    def template(self) -> Path:
        """The kind's template file; when absent, one is built from the definition's profile."""
        return self.folder / TEMPLATE

    def theme(self, wanted: str) -> Theme:
        """A theme by year (2021) or name (五个带头); a located message lists the ones there are."""
        wanted = wanted.strip().removesuffix("年")
        for theme in self.themes:
            if wanted in (str(theme.year), theme.name, theme.label):
                return theme
        there = "、".join(f"“{t.year or t.name}”（{t.label}）" for t in self.themes)
        raise GwError(f"文种“{self.id}”没有主题“{wanted}”" + (f"，可选：{there}。" if there else "，它不预填条目。"),
                      Location(self.folder / DEFINITION))


def search_dirs() -> list[Path]:
    return [Path.cwd() / "templates", BUILTIN_DIR]


def _line_of(text: str, key: str) -> str | None:
    """“第 N 行” of the first line defining ``key`` (tomllib gives no positions)."""
    pattern = re.compile(rf"^\s*(?:\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*(?:=|\]|\.)", re.MULTILINE)
    m = pattern.search(text)
    return f"第 {text.count(chr(10), 0, m.start()) + 1} 行" if m else None


def _unknown(keys: object, allowed: set[str], text: str, path: Path, where: str) -> None:
    for key in keys:  # type: ignore[attr-defined]
        if key not in allowed:
            close = [k for k in sorted(allowed) if k[:3] == str(key)[:3]]
            hint = f"是不是“{close[0]}”？" if close else f"可用的有：{'、'.join(sorted(allowed))}。"
            raise GwError(f"{where}有未知的设置项“{key}”，{hint}", Location(path, None, _line_of(text, str(key))))


#: tomllib's messages (English, a few dozen fixed texts) said in Chinese; the position is kept apart.
_TOML_MESSAGES = (
    ("Invalid initial character for a key part",
     "设置项名称的写法有误（名称只能用字母、数字、下划线，或加英文双引号）"),
    ("Invalid statement", "这一行不是“名称 = 值”的写法"),
    ("Expected '=' after a key", "设置项名称后面缺少“=”"),
    ("Unterminated string", "引号没有成对"),
    ("Expected ']' at the end of a table", "表头 [ ] 缺少右括号"),
    ("Expected ']]' at the end of an array", "表头 [[ ]] 缺少右括号"),
    ("Unclosed array", "列表的 [ ] 没有成对"),
    ("Unclosed inline table", "{ } 没有成对"),
    ("Cannot overwrite a value", "同一个设置项写了两次"),
    ("Cannot declare", "同一个表头写了两次"),
    ("Cannot mutate", "同一个设置项写了两次"),
    ("Invalid value", "值的写法有误（文字要加英文双引号，如 name = \"民主生活会\"）"),
    ("Expected newline or end of document", "一行只能写一个设置项"),
    ("Illegal character '\\n'", "引号没有成对（一行里的文字要在同一行用英文双引号括起来）"),
    ("Illegal character", "有不允许出现的字符"),
    ("Unescaped '\\'", "引号中的反斜杠 \\ 要写成 \\\\"),
    ("Unescaped", "引号中有不允许的字符"),
    ("Invalid", "值的写法有误"),
)


def _toml_problem(message: str) -> tuple[str, str | None]:
    """A tomllib error as (what is wrong, in Chinese; where: “第 N 行” or “末尾”)."""
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    at = f"第 {m.group(1)} 行第 {m.group(2)} 列" if m else ("文件末尾" if "end of document" in message else None)
    what = next((chinese for english, chinese in _TOML_MESSAGES if message.startswith(english)), "写法有误")
    return what, at


def _read_toml(path: Path, what: str, fix: str) -> tuple[str, dict[str, Any]]:
    """A TOML file a person wrote (a kind.toml, a 主题.toml): its text and data, or one Chinese sentence
    naming the file, the line and what is wrong."""
    where = Location(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        return text, tomllib.loads(text)
    except OSError as exc:
        raise GwError(f"{what}无法读取。", where) from exc
    except UnicodeDecodeError as exc:
        raise GwError(f"{what}不是 UTF-8 编码，请另存为 UTF-8（记事本“另存为”时选 UTF-8）。", where) from exc
    except tomllib.TOMLDecodeError as exc:
        problem, at = _toml_problem(str(exc))
        raise GwError(f"{what}格式有误：{problem}，{fix}。", Location(path, None, at)) from exc
    except RecursionError as exc:
        raise GwError(f"{what}中的括号嵌套过深（数千层），不是正常的写法；{fix}。", where) from exc


def load_kind(folder: Path) -> Kind:
    """Read one kind folder; a broken definition names the file, the line and the key to fix."""
    path = folder / DEFINITION
    where = Location(path)
    text, data = _read_toml(path, "文种定义文件", "请对照内置文种的 kind.toml 修改")
    _unknown(data, _KEYS, text, path, "")

    def get(key: str, kind: type, default: object = None) -> object:
        value = data.get(key, default)
        if value is None or not isinstance(value, kind):
            raise GwError(f"缺少“{key}”或其值类型不对，请对照内置文种的 kind.toml 修改。",
                          Location(path, None, _line_of(text, key)))
        return value

    points = get("points", str, POINTS_INLINE)
    if points not in (POINTS_INLINE, POINTS_SEPARATE):
        raise GwError(f"“points”只能是 {POINTS_INLINE} 或 {POINTS_SEPARATE}，现在是“{points}”。", where)
    profile_name = get("profile", str, "标准")
    if profile_name not in PROFILES:
        raise GwError(f"格式方案“{profile_name}”不存在，可选：{'、'.join(PROFILES)}。", where)
    try:
        profile = profile_with(PROFILES[profile_name], get("profile_overrides", dict, {}))
    except ValueError as exc:
        raise GwError(f"“profile_overrides”有误：{exc}", where) from exc
    sections = []
    for entry in get("sections", list, []):
        if not isinstance(entry, dict) or not isinstance(entry.get("heading"), str):
            raise GwError("每个 [[sections]] 都要有 heading（该部分的标题）。", where)
        _unknown(entry, _SECTION_KEYS, text, path, "[[sections]] 中")
        sections.append(SectionDef(entry["heading"], str(entry.get("hint", "")),
                                   tuple(str(a) for a in entry.get("aspects", []))))
    themes = [_theme(entry, text, path) for entry in get("themes", list, [])]
    if any(s.aspects for s in sections):  # an older definition: its aspects are one unnamed theme
        themes.append(Theme(None, "默认", {s.heading: s.aspects for s in sections if s.aspects}))
    return Kind(
        id=folder.name,
        folder=folder,
        name=get("name", str),
        description=get("description", str, ""),
        title_patterns=_patterns(data.get("title_pattern", ""), where),
        name_line_pattern=get("name_line_pattern", str, ""),
        points_inline=points == POINTS_INLINE,
        signature=bool(get("signature", bool, False)),
        profile=profile,
        sections=tuple(sections),
        aliases=tuple(get("aliases", list, [])),
        themes=tuple(themes),
        checks_off=tuple(str(r) for r in get("checks_off", list, [])),
    )


def _theme(entry: object, text: str, path: Path) -> Theme:
    where = Location(path, None, _line_of(text, "themes"))
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise GwError("每个 [[themes]] 都要有 name（主题名称，如“五个带头”）和 year（年度）。", where)
    _unknown(entry, _THEME_KEYS, text, path, "[[themes]] 中")
    year = entry.get("year")
    if year is not None and not isinstance(year, int):
        raise GwError(f"[[themes]] 的 year 应是数字，如 2021，现在是“{year}”。", where)
    aspects = entry.get("aspects", {})
    if not isinstance(aspects, dict) or not all(
            isinstance(v, list) and all(isinstance(a, str) for a in v) for v in aspects.values()):
        raise GwError("[[themes]] 的 aspects 应写成 {\"部分标题\" = [\"方面一\", \"方面二\"]}。", where)
    return Theme(year, entry["name"], {str(k): tuple(v) for k, v in aspects.items()})


def _patterns(value: object, where: Location) -> tuple[str, ...]:
    """title_pattern: one pattern, or a list tried in order (the first whose fields are filled)."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise GwError("“title_pattern”应是一个标题格式，或几个标题格式的列表，请对照内置文种的 kind.toml 修改。", where)


_FROZEN: dict[str, Kind] | None = None
_FROZEN_BROKEN: dict[str, GwError] = {}


def freeze() -> None:
    """Keep the kinds as they are now for the rest of this process.

    A batch worker lives for one batch and asks for its kind once per workbook; looking at the
    folders again each time (a directory listing and a stat per kind) was 5% of its work.
    """
    global _FROZEN, _FROZEN_BROKEN
    _FROZEN = None
    _FROZEN, _FROZEN_BROKEN = _scan()


def available() -> dict[str, Kind]:
    """All kinds by id; a user's folder of the same name shadows a built-in one; the themes of a
    主题.toml in the working folder are added to (or replace, by year) the kinds' own."""
    return _with_theme_file(_scan()[0])


def broken() -> dict[str, GwError]:
    """Kind folders whose definition cannot be used, by id, with the sentence naming their kind.toml.

    A broken kind is reported where it is asked for; every other kind goes on working (a user's
    half-edited ``templates/我的文种/kind.toml`` stops no merge that does not use it).
    """
    return _scan()[1]


def _scan() -> tuple[dict[str, Kind], dict[str, GwError]]:
    if _FROZEN is not None:
        return dict(_FROZEN), dict(_FROZEN_BROKEN)
    kinds: dict[str, Kind] = {}
    failed: dict[str, GwError] = {}
    for base in search_dirs():
        if not base.is_dir():
            continue
        for folder in sorted(base.iterdir()):
            if (folder / DEFINITION).is_file() and folder.name not in kinds and folder.name not in failed:
                try:
                    kinds[folder.name] = _load_cached(folder)
                except GwError as exc:  # a user's folder of that name still shadows the built-in one
                    failed[folder.name] = exc
    return kinds, failed



# ------------------------------------------------------------- a clerk's own themes, no package files edited

THEME_FILE = "主题.toml"
_THEME_FILE_KEYS = {"kind", *_THEME_KEYS}
_THEME_FILES: dict[tuple[str, int, int], list[tuple[str, Theme]]] = {}


def theme_file() -> Path:
    """Where a clerk puts new themes: 主题.toml in the folder gwmerge is run from (beside the workbooks)."""
    return Path.cwd() / THEME_FILE


def _with_theme_file(kinds: dict[str, Kind]) -> dict[str, Kind]:
    path = theme_file()
    if not path.is_file():
        return kinds
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _THEME_FILES:
        _THEME_FILES.clear()
        _THEME_FILES[key] = _read_theme_file(path, kinds)
    extra: dict[str, list[Theme]] = {}
    for kind_id, theme in _THEME_FILES[key]:
        extra.setdefault(kind_id, []).append(theme)
    for kind_id, added in extra.items():
        kind = kinds[kind_id]
        years = {t.year for t in added if t.year is not None}
        kept = [t for t in kind.themes if t.year is None or t.year not in years]
        themes = sorted([*kept, *added], key=lambda t: (t.year is None, t.year or 0))
        kinds[kind_id] = dataclasses.replace(kind, themes=tuple(themes))
    return kinds


def _read_theme_file(path: Path, kinds: dict[str, Kind]) -> list[tuple[str, Theme]]:
    """[[themes]] entries as in kind.toml, each with the kind it belongs to; a mistake names the entry."""
    where = Location(path)
    text, data = _read_toml(path, "主题文件", "请对照 README 中的示例修改")
    _unknown(data, {"themes"}, text, path, "")
    found: list[tuple[str, Theme]] = []
    entries = data.get("themes", [])
    if not isinstance(entries, list):
        raise GwError("主题要写成 [[themes]]（两层方括号），每个主题一段。", where)
    for n, entry in enumerate(entries, 1):
        at = Location(path, None, f"第 {n} 个 [[themes]]")
        if not isinstance(entry, dict):
            raise GwError("主题要写成 [[themes]]（两层方括号），每个主题一段。", at)
        _unknown(entry, _THEME_FILE_KEYS, text, path, f"第 {n} 个 [[themes]] 中")
        wanted, year, name = entry.get("kind"), entry.get("year"), entry.get("name")
        kind = next((k for k in kinds.values() if wanted in (k.id, k.name, *k.aliases)), None)
        if kind is None:
            raise GwError(f"kind（文种）应是 {'、'.join(kinds)} 之一，现在是“{wanted}”。", at)
        if not isinstance(year, int) or not isinstance(name, str) or not name.strip():
            raise GwError("每个主题都要写 year（年度，数字，如 2026）和 name（名称，如“……学习教育”）。", at)
        aspects = entry.get("aspects", {})
        if not isinstance(aspects, dict) or not all(
                isinstance(v, list) and all(isinstance(a, str) for a in v) for v in aspects.values()):
            raise GwError("aspects（各个方面）应写成 { \"部分标题\" = [\"在……方面\", \"在……方面\"] }。", at)
        unknown = [h for h in aspects if h not in {s.heading for s in kind.sections}]
        if unknown:
            headings = "、".join(s.heading for s in kind.sections)
            raise GwError(f"文种“{kind.id}”没有“{unknown[0]}”这一部分，可用：{headings}。", at)
        found.append((kind.id, Theme(year, name.strip(), {str(k): tuple(v) for k, v in aspects.items()})))
    return found


_LOADED: dict[tuple[str, int, int], Kind] = {}


def _load_cached(folder: Path) -> Kind:
    """A kind read once per process while its definition file stays the same (batches ask per workbook)."""
    stat = (folder / DEFINITION).stat()
    key = (str(folder), stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        if len(_LOADED) > 64:
            _LOADED.clear()
        _LOADED[key] = load_kind(folder)
    return _LOADED[key]


def default_kind_id() -> str:
    return "民主生活会"


def find(name: str | None) -> Kind:
    """A kind by id, alias or display name; None means the default kind."""
    kinds, failed = _scan()
    kinds = _with_theme_file(kinds)
    wanted = (name or default_kind_id()).strip()
    if wanted in failed:
        raise failed[wanted]
    for kind in kinds.values():
        if wanted in (kind.id, kind.name, *kind.aliases):
            return kind
    also = ("；另有文种定义有误，未能读取：" + "、".join(f"{kid}/{DEFINITION}" for kid in failed)) if failed else ""
    raise GwError(f"没有名为“{wanted}”的文种，可选：{'、'.join(kinds)}{also}。")


# ------------------------------------------------------------- what the kind decides for a document

_FIELD = re.compile(r"\{(\w+)\}")
DEFAULT_NAME_LINE = "{署名}"


def field_value(doc: Document, name: str) -> str:
    """A field as patterns use it: {署名} falls back to 姓名; {年度} is the bare year (2025)."""
    if name == sf.FIELD_SIGNER:
        return doc.field(sf.FIELD_SIGNER) or doc.field(sf.FIELD_NAME)
    value = doc.field(name)
    if name == sf.FIELD_YEAR:
        value = re.sub(r"\s*年度?$", "", value.strip())
    return value


def fill_pattern(pattern: str, doc: Document) -> tuple[str, list[str]]:
    """Fill {字段} placeholders from the information sheet; also return the empty ones."""
    missing = [name for name in _FIELD.findall(pattern) if not field_value(doc, name)]
    return _FIELD.sub(lambda m: field_value(doc, m.group(1)), pattern), missing


def title_pattern(doc: Document, kind: Kind) -> str:
    """The first of the kind's title patterns whose fields are all filled, else its last one."""
    for pattern in kind.title_patterns:
        if not fill_pattern(pattern, doc)[1]:
            return pattern
    return kind.title_patterns[-1] if kind.title_patterns else ""


def title_lines(doc: Document, kind: Kind) -> tuple[str, list[str] | None]:
    """The title, and its lines when the writer broke it (Alt+Enter); None: break it automatically."""
    typed = doc.info.get(sf.FIELD_TITLE)
    if typed and typed.value.strip() in sf.NO_TITLE_WORDS:
        return "", None
    if typed:
        lines = list(typed.paragraphs)
        return "".join(lines), lines if len(lines) > 1 else None
    return fill_pattern(title_pattern(doc, kind), doc)[0], None


def _choice(doc: Document, name: str, default: bool) -> bool:
    choice = doc.field(name)
    return choice in sf.YES_WORDS or (choice not in sf.NO_WORDS and default)


def wants_signature(doc: Document, kind: Kind) -> bool:
    """The workbook's 落款 choice, else the kind's default."""
    return _choice(doc, sf.FIELD_SIGNATURE, kind.signature)


def signer(doc: Document) -> str:
    """Who signs: the organisation in 署名 (班子, 支部), else the person."""
    return field_value(doc, sf.FIELD_SIGNER)


def name_line(doc: Document, kind: Kind) -> str:
    """The line under the title, if the workbook (标题下署名) or the kind asks for one."""
    if not _choice(doc, sf.FIELD_NAME_LINE, bool(kind.name_line_pattern)):
        return ""
    return fill_pattern(kind.name_line_pattern or DEFAULT_NAME_LINE, doc)[0].strip()


def points_inline(doc: Document, kind: Kind) -> bool:
    """一是/二是 run on in their item's paragraph: the workbook's 要点排法, else the kind's layout."""
    choice = sf.POINTS_ALIASES.get(re.sub(r"\s+", "", doc.field(sf.FIELD_POINTS)))
    return kind.points_inline if choice is None else choice == sf.POINTS_RUN_ON
