"""The house keeps its layers: no import runs upwards or round in a circle (docs/architecture.md).

The layers are written once, in pyproject.toml (``[tool.gwmerge.architecture]``); every import
statement counts, function-level ones included.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from importgraph import cycles, edges, parse_layers, violations

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "gwmerge"
LAYERS = parse_layers(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                      ["tool"]["gwmerge"]["architecture"]["layers"])


def test_gwmerge_has_no_import_cycle() -> None:
    assert cycles(edges(SRC, "gwmerge")) == []


def test_gwmerge_imports_only_downwards() -> None:
    assert violations(edges(SRC, "gwmerge"), "gwmerge", LAYERS) == []


def test_every_package_and_top_level_module_has_its_layer() -> None:
    named = {name for siblings in LAYERS for name in siblings}
    present = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert present - named == set()


def _plant(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "pkg"
    for name, text in files.items():
        path = pkg / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pkg


def test_a_planted_cycle_is_found_even_through_a_function_level_import(tmp_path: Path) -> None:
    pkg = _plant(tmp_path, {
        "__init__.py": "",
        "low/__init__.py": "",
        "low/a.py": "from pkg.low import b\n",
        "low/b.py": "def f():\n    from . import c\n",
        "low/c.py": "import pkg.low.a\n",
        "high.py": "from .low.a import x\n",
    })
    assert cycles(edges(pkg, "pkg")) == [["pkg.low.a", "pkg.low.b", "pkg.low.c"]]


def test_a_planted_upward_or_sideways_import_is_found(tmp_path: Path) -> None:
    pkg = _plant(tmp_path, {
        "__init__.py": "",
        "face.py": "from pkg.low import a\n",
        "low/__init__.py": "",
        "low/a.py": "def f():\n    from ..face import g\n",
        "left/__init__.py": "from ..right import r\n",
        "right/__init__.py": "",
        "stray.py": "",
        "low/b.py": "from pkg import stray\n",
    })
    layers = parse_layers(["face", "left | right", "low"])
    found = violations(edges(pkg, "pkg"), "pkg", layers)
    assert found == [
        "pkg.left → pkg.right (line 1): left and right are independent siblings",
        "pkg.low.a → pkg.face (line 2): imports upwards (face is above low)",
        "pkg.low.b → pkg.stray (line 1): not in any layer",
    ]
