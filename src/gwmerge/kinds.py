"""Document kinds: a folder with a docxtpl template and a kind.toml definition.

A new kind or a new year's aspect list is a new or edited folder, never code. Kinds are looked up
in ./templates (the user's working folder) first, then among the built-in ones.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GwError, Location
from .profile import PROFILES, Profile, profile_with

BUILTIN_DIR = Path(__file__).parent / "templates"
DEFINITION = "kind.toml"
TEMPLATE = "template.docx"
POINTS_INLINE = "inline"
POINTS_SEPARATE = "separate"


@dataclass(frozen=True)
class SectionDef:
    heading: str
    hint: str = ""
    aspects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    id: str
    folder: Path
    name: str
    description: str
    title_pattern: str
    name_line_pattern: str
    points_inline: bool
    signature: bool
    profile: Profile
    sections: tuple[SectionDef, ...]
    aliases: tuple[str, ...] = field(default=())

    @property
    def template(self) -> Path:
        """The kind's template file; when absent, one is built from the definition's profile."""
        return self.folder / TEMPLATE


def search_dirs() -> list[Path]:
    return [Path.cwd() / "templates", BUILTIN_DIR]


def load_kind(folder: Path) -> Kind:
    """Read one kind folder; a broken definition names the file and the key to fix."""
    path = folder / DEFINITION
    where = Location(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GwError("文种定义文件无法读取。", where) from exc
    except tomllib.TOMLDecodeError as exc:
        raise GwError(f"文种定义文件格式有误（{exc}），请对照内置文种的 kind.toml 修改。", where) from exc

    def get(key: str, kind: type, default: object = None) -> object:
        value = data.get(key, default)
        if value is None or not isinstance(value, kind):
            raise GwError(f"缺少“{key}”或其值类型不对，请对照内置文种的 kind.toml 修改。", where)
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
        sections.append(SectionDef(entry["heading"], str(entry.get("hint", "")),
                                   tuple(str(a) for a in entry.get("aspects", []))))
    return Kind(
        id=folder.name,
        folder=folder,
        name=get("name", str),
        description=get("description", str, ""),
        title_pattern=get("title_pattern", str, ""),
        name_line_pattern=get("name_line_pattern", str, ""),
        points_inline=points == POINTS_INLINE,
        signature=bool(get("signature", bool, False)),
        profile=profile,
        sections=tuple(sections),
        aliases=tuple(get("aliases", list, [])),
    )


def available() -> dict[str, Kind]:
    """All kinds by id; a user's folder of the same name shadows a built-in one."""
    kinds: dict[str, Kind] = {}
    for base in search_dirs():
        if not base.is_dir():
            continue
        for folder in sorted(base.iterdir()):
            if (folder / DEFINITION).is_file() and folder.name not in kinds:
                kinds[folder.name] = load_kind(folder)
    return kinds


def default_kind_id() -> str:
    return "民主生活会"


def find(name: str | None) -> Kind:
    """A kind by id, alias or display name; None means the default kind."""
    kinds = available()
    wanted = (name or default_kind_id()).strip()
    for kind in kinds.values():
        if wanted in (kind.id, kind.name, *kind.aliases):
            return kind
    raise GwError(f"没有名为“{wanted}”的文种，可选：{'、'.join(kinds)}（gwmerge kinds 可查看说明）。")
