"""Every runtime dependency is imported by the code, and every import is a declared dependency.

A dependency nobody imports (feedgen was one) costs every install for nothing; an import that
works only because another package happens to pull it in (click, through flask) breaks the day
that package stops. The test extra is for tests only and is not looked at here.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from .conftest import REPO


def declared() -> set[str]:
    """The distribution names of ``[project] dependencies``, normalized."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        normalized(re.split(r"[\s<>=~!;\[]", spec, maxsplit=1)[0])
        for spec in project["dependencies"]
    }


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported() -> set[str]:
    """The top-level modules that feeds/ and wsgi.py import, less the standard library and feeds."""
    names: set[str] = set()
    for path in [*sorted((REPO / "feeds").rglob("*.py")), REPO / "wsgi.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"feeds", "__future__"}


def test_runtime_dependencies_are_exactly_what_the_code_imports() -> None:
    distributions = packages_distributions()
    used = {
        normalized(dist) for module in imported() for dist in distributions.get(module, [module])
    }
    assert used == declared(), (
        f"declared but not imported: {sorted(declared() - used)}; imported but not declared: {sorted(used - declared())}"
    )
