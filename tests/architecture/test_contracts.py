"""The boundary rules bite: on a copy of the tree, each forbidden import makes the linters fail.

A contract that passes whatever the code does protects nothing, so each rule is broken on purpose
here and the failure must name it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPIED = ["apps", "transport", "config", "tools", ".importlinter", "pyproject.toml"]
# the tools installed next to the interpreter running the tests, as `make test` installs them
BIN = Path(sys.executable).parent

LAYERS = "Apps call and subscribe downwards only"
CYCLES = "Apps form no cycles"
KERNEL = "The kernel imports no app and no config"
DOMAIN = "Domain code does not know the HTTP framework"
INTERNALS = "Only an app imports its internals; others see api.py and signals.py"
READS = "Ticketing's reads never import its writes"
IDENTITY_READS = "Identity's reads never import its writes"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy2(source, copy / name)
    return copy


def ensure_module(tree: Path, module: str) -> None:
    """Create a module of ours the app does not have yet: an import of a missing module is no edge."""
    path = tree.joinpath(*module.split("."))
    if module.split(".")[0] in COPIED and not path.with_suffix(".py").exists() and not path.is_dir():
        path.with_suffix(".py").write_text('"""Made by the contract test."""\n')


def add_import(tree: Path, importer: str, imported: str) -> None:
    ensure_module(tree, importer)
    ensure_module(tree, imported)
    path = tree.joinpath(*importer.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")  # a package or a module
    path.write_text(f"{path.read_text().rstrip()}\nimport {imported}\n")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # wide enough that a long module path is not wrapped onto the next line
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "240"}
    return subprocess.run([BIN / "lint-imports", "--no-cache", "--no-logo"], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)


def broken_contracts(output: str) -> set[str]:
    return {line.removesuffix(" BROKEN") for line in output.splitlines() if line.endswith(" BROKEN")}


def test_the_tree_as_it_is_keeps_every_contract(tree):
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 7 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("importer", "imported", "broken"),
    [
        pytest.param("apps.company.api", "apps.ticketing.api", LAYERS, id="an app calls an app above it"),
        pytest.param("apps.ticketing.api", "apps.company.models", INTERNALS,
                     id="an app reaches into another app's internals"),
        pytest.param("transport.locks", "apps.auth.api", KERNEL, id="the kernel imports an app"),
        pytest.param("apps.company.services", "rest_framework", DOMAIN, id="domain code imports DRF"),
        pytest.param("apps.ticketing.boarding.selectors", "rest_framework", DOMAIN,
                     id="a sub-domain's reads import DRF"),
        pytest.param("apps.ticketing.sales.selectors", "apps.ticketing.sales.services.bookings", READS,
                     id="ticketing's reads import its writes"),
        pytest.param("apps.ticketing.inventory.selectors", "apps.ticketing.fares.services", READS,
                     id="ticketing's reads import another sub-domain's writes"),
        pytest.param("apps.ticketing.access", "apps.ticketing.boarding.services", READS,
                     id="ticketing's access rules import its writes"),
        pytest.param("apps.auth.jwt.claims", "apps.auth.services.sessions", IDENTITY_READS,
                     id="identity's token reads import its writes"),
    ],
)
def test_a_forbidden_import_fails_the_contract_it_breaks(tree, importer, imported, broken):
    add_import(tree, importer, imported)

    result = lint_imports(tree)

    assert result.returncode == 1
    # an upward call also closes a cycle when the app above already calls the one below; and as ticketing's
    # reads call company.api, an upward call from there lets them reach ticketing's writes
    also = {CYCLES, READS} if broken == LAYERS else {CYCLES}
    assert broken_contracts(result.stdout) - also == {broken}
    assert f"{importer} -> {imported} (l." in result.stdout


ESCAPE_HATCHES = '''import importlib

from django.apps import apps

model = apps.get_model("company", "Bus")
module = importlib.import_module("apps.company.models")
'''


def ruff_banned_api(tree: Path, module_path: str) -> list[str]:
    (tree / module_path).write_text(ESCAPE_HATCHES)
    result = subprocess.run(
        [BIN / "ruff", "check", "--no-cache", "--select", "TID251", "--output-format", "concise", module_path],
        cwd=tree, capture_output=True, text=True, check=False,
    )
    return [line.split(" is banned")[0] for line in result.stdout.splitlines() if " TID251 " in line]


def test_ruff_bans_registry_lookups_and_string_imports_in_app_code(tree):
    findings = ruff_banned_api(tree, "apps/company/escape_hatches.py")

    assert findings == [
        "apps/company/escape_hatches.py:1:8: TID251 `importlib`",
        "apps/company/escape_hatches.py:3:25: TID251 `django.apps.apps`",
        "apps/company/escape_hatches.py:5:9: TID251 `django.apps.apps.get_model`",
    ]


def test_ruff_lets_the_kernel_wire_apps_together_by_name(tree):
    findings = ruff_banned_api(tree, "transport/escape_hatches.py")

    assert findings == []
