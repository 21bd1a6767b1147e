"""Format profile: every GB/T 9704 number the template carries, in OOXML units.

docs/format.md is the authority for the defaults. A profile is frozen so that a template built from
it is a pure function of its fields (templates are generated reproducibly and checked in).
Sizes are half-points (``w:sz``), lengths are twips (1/20 pt).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["DEFAULT", "PROFILES", "Profile", "profile_with"]


@dataclass(frozen=True)
class Profile:
    """Fonts, sizes and page geometry of one official-document style."""

    # Fonts per role (family names as receiving offices check them).
    font_title: str = "方正小标宋简体"
    font_name_line: str = "楷体_GB2312"
    font_heading1: str = "黑体"
    font_heading2: str = "楷体_GB2312"
    font_heading3: str = "仿宋_GB2312"
    font_body: str = "仿宋_GB2312"
    font_page_number: str = "宋体"
    # Western font for the ascii/hAnsi slots; None keeps the Chinese font in all four slots.
    latin_font: str | None = None

    # Sizes in half-points.
    size_body: int = 32
    size_title: int = 44
    size_page_number: int = 28

    # Grid: exact line pitch (twips) and per-character tightening (twips) on body-width runs.
    line_pitch: int = 579
    char_spacing: int = -5

    # Page (twips).
    page_width: int = 11906
    page_height: int = 16838
    margin_top: int = 2098
    margin_bottom: int = 1984
    margin_left: int = 1587
    margin_right: int = 1474
    margin_header: int = 851
    margin_footer: int = 1400
    margin_gutter: int = 0

    # Emphasis options.
    heading3_bold: bool = False
    lead_bold: bool = False

    # Page number: distance from the outer margin, twips (odd right, even left).
    page_number_indent: int = 280

    def __post_init__(self) -> None:
        """Reject values that would silently produce a broken template."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "latin_font":
                if value is not None and (not isinstance(value, str) or not value.strip()):
                    raise ValueError("格式设置项 latin_font 必须是字体名称或留空")
                continue
            expected = _FIELD_KINDS[f.name]
            # bool is a subclass of int: keep the two apart so `line_pitch = true` is refused.
            if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"格式设置项 {f.name} 必须是整数，实际为 {value!r}")
            if expected is bool and not isinstance(value, bool):
                raise ValueError(f"格式设置项 {f.name} 必须是 true 或 false，实际为 {value!r}")
            if expected is str and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"格式设置项 {f.name} 必须是非空的字体名称，实际为 {value!r}")
        for name in ("size_body", "size_title", "size_page_number", "line_pitch",
                     "page_width", "page_height"):
            if getattr(self, name) <= 0:
                raise ValueError(f"格式设置项 {name} 必须大于 0")


def _kind(annotation: Any) -> type:
    """Map a (string) field annotation to the runtime type the validator checks."""
    text = str(annotation)
    if text.startswith("int"):
        return int
    if text.startswith("bool"):
        return bool
    return str


_FIELD_KINDS: dict[str, type] = {f.name: _kind(f.type) for f in dataclasses.fields(Profile)}

DEFAULT = Profile()


def profile_with(base: Profile, overrides: Mapping[str, Any] | None = None, /,
                 **kwargs: Any) -> Profile:
    """Return ``base`` with some fields replaced.

    Accepts keyword arguments or a mapping (e.g. a ``[format]`` table read from a kind's TOML
    file); an unknown key raises ValueError naming it, so a typo in a definition file is caught
    instead of being ignored.
    """
    changes: dict[str, Any] = dict(overrides or {})
    changes.update(kwargs)
    unknown = sorted(k for k in changes if k not in _FIELD_KINDS)
    if unknown:
        known = "、".join(_FIELD_KINDS)
        raise ValueError(f"未知的格式设置项：{'、'.join(unknown)}（可用的有：{known}）")
    return dataclasses.replace(base, **changes)


PROFILES: dict[str, Profile] = {
    "标准": DEFAULT,
    # Fonts that ship with modern Windows (FangSong/KaiTi) instead of the *_GB2312 families.
    "系统字体": profile_with(
        DEFAULT,
        font_name_line="楷体",
        font_heading2="楷体",
        font_heading3="仿宋",
        font_body="仿宋",
    ),
    # 28 pt lines: 22 lines per page too, leaving part of the 版心 empty (allowed, not default).
    "28磅行距": profile_with(DEFAULT, line_pitch=560),
    # Digits and Latin letters in Times New Roman, Chinese in the Chinese fonts.
    "西文新罗马": profile_with(DEFAULT, latin_font="Times New Roman"),
    # Some offices' font packs name the title font 方正小标宋_GBK.
    "小标宋GBK": profile_with(DEFAULT, font_title="方正小标宋_GBK"),
    # 一是/二是 lead sentences in bold.
    "引导句加粗": profile_with(DEFAULT, lead_bold=True),
}


def combine(base: Profile, names: Iterable[str]) -> Profile:
    """Apply named variants on top of ``base``: each contributes what it changes from DEFAULT.

    Unknown names raise ValueError naming them and the choices, for a one-sentence message.
    """
    result = base
    for name in names:
        if name not in PROFILES:
            raise ValueError(f"没有名为“{name}”的格式方案，可选：{'、'.join(PROFILES)}")
        variant = PROFILES[name]
        changes = {f.name: getattr(variant, f.name) for f in fields(Profile)
                   if getattr(variant, f.name) != getattr(DEFAULT, f.name)}
        result = replace(result, **changes)
    return result
