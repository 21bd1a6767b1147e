"""Every library the package imports is declared in pyproject.toml (with a lower bound)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("gwmerge", "__future__")}


def _declared(*groups: str) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for group in groups:
        specs += project["optional-dependencies"][group]
    out = {}
    for spec in specs:
        name = re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]
        out[re.sub(r"[-_.]+", "-", name).lower()] = spec
    return out


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    mapping = packages_distributions()
    return {m: {re.sub(r"[-_.]+", "-", d).lower() for d in mapping.get(m, [m])} for m in modules}


def test_package_imports_are_declared_with_a_lower_bound() -> None:
    declared = _declared()
    for module, dists in _distributions(_imported(ROOT / "src")).items():
        assert dists & declared.keys(), f"{module} ({dists}) is imported by src/ but not declared"
        for dist in dists & declared.keys():
            assert ">=" in declared[dist], f"{declared[dist]} has no lower bound"


def test_test_and_bench_imports_are_declared() -> None:
    declared = _declared("test", "bench")
    local = {p.stem for p in (ROOT / "tests").glob("*.py")} | {"conftest"}
    modules = (_imported(ROOT / "tests") | _imported(ROOT / "bench")) - local
    for module, dists in _distributions(modules).items():
        assert dists & declared.keys(), f"{module} ({dists}) is imported by tests/ or bench/ but not declared"


def test_ruff_is_pinned_to_a_minor_version() -> None:
    ruff = _declared("test")["ruff"]
    assert re.fullmatch(r"ruff>=0\.(\d+)(\.\d+)?,<0\.(\d+)", ruff), ruff
