"""Regenerate every built-in kind's template.docx from its kind.toml (reproducible, byte for byte).

Run: python tools/build_templates.py
"""

from __future__ import annotations

from gwmerge.document import kinds
from gwmerge.docx.build import build_template


def main() -> None:
    for folder in sorted(kinds.BUILTIN_DIR.iterdir()):
        if (folder / kinds.DEFINITION).is_file():
            kind = kinds.load_kind(folder)
            build_template(kind.template, kind.profile)
            print(f"已生成 {kind.template}")


if __name__ == "__main__":
    main()
