"""The tests' layout stays as the README describes it: test modules live in a folder that
mirrors their package (tests/forums/, tests/consultations/, …) or in tests/house/, never
directly in tests/, and each such folder is a package; no test module imports from another
test module or a conftest (shared helpers are in tests/support/, fixtures in tests/plugins/
and a folder's conftest.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.environment import ROOT

TESTS = ROOT / "tests"
MODULES = sorted(TESTS.rglob("test_*.py"))


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported(path: Path, source: str | None = None) -> set[str]:
    """Every module the file imports (at any depth), relative imports resolved, and for
    ``from package import name`` also ``package.name``."""
    package = module_name(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def of_tests(names: set[str]) -> set[str]:
    """The names that are test modules or conftests."""
    return {n for n in names if n.rsplit(".", 1)[-1].startswith("test_")
            or n.rsplit(".", 1)[-1] == "conftest"}


def test_test_modules_sit_in_package_folders_below_tests():
    assert len(MODULES) > 50 and Path(__file__) in MODULES
    assert [p.name for p in MODULES if p.parent == TESTS] == []
    folders = {p.parent for p in MODULES}
    assert [f.name for f in folders if not (f / "__init__.py").exists()] == []


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offending = {
        str(path.relative_to(ROOT)): sorted(names)
        for path in MODULES
        if (names := of_tests(imported(path)))
    }
    assert offending == {}, "move what they share to tests/support/ (helpers) or a plugin"


def test_the_check_sees_imports_of_every_form():
    source = (
        "from . import test_threads\n"
        "from .test_posts import page\n"
        "from ..house.test_text import PAYLOADS\n"
        "from tests.conftest import base_config\n"
        "from tests.support import forums\n"
        "def f():\n"
        "    import tests.events.test_pages\n"
    )
    assert of_tests(imported(TESTS / "forums" / "test_sample.py", source)) == {
        "tests.forums.test_threads", "tests.forums.test_posts", "tests.house.test_text",
        "tests.conftest", "tests.events.test_pages",
    }
