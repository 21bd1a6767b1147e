"""Packaging that pyproject.toml cannot say: the top-level templates/ folder ships as gwmerge/templates.

Everything else (name, version, dependencies, scripts) is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "gwmerge.templates"],
    package_dir={"": "src", "gwmerge.templates": "templates"},
    package_data={
        "gwmerge": ["web/templates/*", "web/static/*", "checks/*.csv"],
        "gwmerge.templates": ["*/*"],
    },
    include_package_data=False,
)
