"""What `pip install .` builds, and the lock files `make install` installs from.

The wheel must carry everything the app reads at run time (every feature's templates, the
static files, the translations with their compiled catalogues), so that a hub installed from
it serves pages in Romanian without the checkout beside it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.environment import IN_CI, ROOT

PACKAGE = ROOT / "m100hub"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: what a checkout holds beside the sources and never goes into a build
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "instance", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".ruff_cache", ".mypy_cache", "test-artifacts",
)


def data_files() -> set[str]:
    """Every file of the package that is not Python: templates, static, translations."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a copy of this checkout (a build in place would leave build/
    behind, whose stale files later builds would pack)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--wheel-dir", str(tmp / "dist"), str(source)],
        check=True, timeout=240,
    )
    (built,) = (tmp / "dist").glob("m100hub-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_templates_static_files_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = data_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    features = {p.parent.name for p in PACKAGE.glob("*/templates")}
    assert {"accounts", "forums", "consultations", "events", "main"} <= features
    for feature in features:
        assert any(n.startswith(f"m100hub/{feature}/templates/{feature}/") for n in names), feature
    assert "m100hub/templates/base.html" in names
    assert "m100hub/static/css/app.css" in names
    assert "m100hub/translations/ro/LC_MESSAGES/messages.po" in names
    assert "m100hub/translations/ro/LC_MESSAGES/messages.mo" in names, "run make translations"
    vendor = "m100hub/static/vendor/socket.io.min.js"
    if IN_CI or (ROOT / vendor).exists():  # `make test` builds it with npm
        assert vendor in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "bench/"))]


@pytest.mark.slow
def test_a_hub_installed_from_the_wheel_serves_romanian_pages_without_the_checkout(
        wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = """
import json, m100hub
app = m100hub.create_app({"TESTING": True, "SECRET_KEY": "x", "USE_REDIS": False,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "RATELIMIT_STORAGE_URI": "memory://"})
client = app.test_client()
page = client.get("/no-such-page", headers={"Accept-Language": "ro"})
print(json.dumps({"module": m100hub.__file__, "status": page.status_code,
                  "page": page.get_data(as_text=True),
                  "css": client.get("/static/css/app.css").status_code}))
"""
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout.splitlines()[-1])
    assert Path(seen["module"]).is_relative_to(site)
    assert seen["status"] == 404
    assert "Pagina nu a fost găsită" in seen["page"]  # template + compiled Romanian catalogue
    assert seen["css"] == 200


def pins(lock: str) -> dict[str, str]:
    """name → version of every ``name==version`` in a lock file, each followed by hashes."""
    text = (ROOT / lock).read_text()
    found = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\\n\s+--hash=sha256:", text, re.M))
    assert len(found) == len(re.findall(r"^[A-Za-z0-9._-]+==", text, re.M)), "a pin lacks hashes"
    return {canonicalize_name(name): version for name, version in found.items()}


@pytest.mark.parametrize("lock, extras", [("requirements.txt", []),
                                          ("requirements-dev.txt", ["dev"])])
def test_the_lock_files_pin_every_dependency_of_pyproject(lock, extras):
    """`make lock` was run after the last change of pyproject's dependencies."""
    project = PYPROJECT["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    wanted += [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    pinned = pins(lock)
    for requirement in wanted:
        version = pinned.get(canonicalize_name(requirement.name))
        assert version, f"{requirement.name} is not in {lock}: run make lock"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {requirement.name}=={version}, outside {requirement.specifier}")


def test_both_lock_files_install_the_same_versions():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_one_python_version():
    """`.python-version` names it; pyproject, ruff and the lock files follow."""
    version = (ROOT / ".python-version").read_text().strip()
    assert PYPROJECT["project"]["requires-python"] == f">={version}"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")
    for lock in ("requirements.txt", "requirements-dev.txt"):
        assert f"autogenerated by pip-compile with Python {version}\n" in (ROOT / lock).read_text()
