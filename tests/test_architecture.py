"""The core never imports Qt or the UI, so the CLI, the tests and a later district hub can use it.

The rule, precisely: no module in ``clerk_app/{domain,storage,services,printing,sync,cli}`` or
directly in ``clerk_app/`` may import ``PySide6``, ``shiboken6`` or ``clerk_app.ui`` — at module
level *or inside a function* (a lazy import still drags Qt into the process when that code runs).
Relative imports are resolved before the check, and ``importlib.import_module("…")`` /
``__import__("…")`` with a literal name count as imports. The one exception is the window
launch itself: ``clerk_app/cli/__init__.py``, function ``main``, where running ``clerk-app``
without a sub-command opens the window. A second test imports every core module in a fresh
interpreter and checks that no Qt module got loaded (this catches imports through libraries).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clerk_app"
CORE_DIRS = ("domain", "storage", "services", "printing", "sync", "cli")
FORBIDDEN = ("PySide6", "shiboken6", "clerk_app.ui")
ALLOWED = {("clerk_app/cli/__init__.py", "main")}  # (file, enclosing function): the window launch


def core_files() -> list[Path]:
    files = sorted(PACKAGE.glob("*.py"))
    for name in CORE_DIRS:
        files += sorted((PACKAGE / name).rglob("*.py"))
    return files


def module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts), is_pkg


def resolve(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_pkg else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(tree: ast.AST, module: str, is_pkg: bool):
    """(name, line, enclosing function or '') for every import in the file."""
    def walk(node, func):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, func
            elif isinstance(child, ast.ImportFrom):
                base = resolve(child, module, is_pkg)
                yield base, child.lineno, func
                for alias in child.names:  # "from clerk_app import ui"
                    yield f"{base}.{alias.name}", child.lineno, func
            elif isinstance(child, ast.Call) and child.args and isinstance(child.args[0], ast.Constant) \
                    and isinstance(child.args[0].value, str):
                fn = child.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                if name in ("import_module", "__import__"):
                    yield child.args[0].value, child.lineno, func
            yield from walk(child, inner)

    yield from walk(tree, "")


def is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def violations(path: Path) -> list[str]:
    module, is_pkg = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for name, line, func in imported_names(tree, module, is_pkg):
        if is_forbidden(name) and (rel, func) not in ALLOWED:
            found.append(f"{rel}:{line} imports {name}" + (f" (in {func})" if func else ""))
    return found


def test_the_checker_sees_every_kind_of_forbidden_import():
    source = "\n".join([
        "import PySide6.QtWidgets",
        "from PySide6 import QtCore",
        "from ..ui import main_window",
        "from .. import ui",
        "def later():",
        "    from clerk_app.ui.app import run_gui",
        "    import importlib",
        "    importlib.import_module('PySide6.QtGui')",
        "import shiboken6",
        "from ..domain import vocab",
        "import sqlite3",
    ])
    tree = ast.parse(source)
    names = [(n, f) for n, _, f in imported_names(tree, "clerk_app.services._fake_for_test", False)]
    bad = [(n, f) for n, f in names if is_forbidden(n)]
    assert ("PySide6.QtWidgets", "") in bad
    assert ("PySide6", "") in bad
    assert ("clerk_app.ui", "") in bad
    assert ("clerk_app.ui.main_window", "") in bad
    assert ("clerk_app.ui.app", "later") in bad
    assert ("PySide6.QtGui", "later") in bad
    assert ("shiboken6", "") in bad
    assert not any(n.startswith("clerk_app.domain") or n == "sqlite3" for n, _ in bad)


def test_the_one_allowed_lazy_import_is_the_window_launch():
    path = PACKAGE / "cli" / "__init__.py"
    module, is_pkg = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    launches = [(n, f) for n, _, f in imported_names(tree, module, is_pkg) if is_forbidden(n)]
    assert launches and all(f == "main" for _, f in launches)


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_does_not_import_qt_or_ui(path):
    assert violations(path) == []


def test_importing_the_whole_core_loads_no_qt():
    code = """
import importlib, importlib.util, pkgutil, sys
import clerk_app
names = []
for sub in %r:
    if importlib.util.find_spec("clerk_app." + sub) is None:
        continue  # a core package a later issue brings (sync)
    pkg = importlib.import_module("clerk_app." + sub)
    names.append(pkg.__name__)
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        names.append(info.name)
for name in ["clerk_app.paths", "clerk_app.workspace", "clerk_app.__main__"] + names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6") or m.startswith("clerk_app.ui"))
print(len(names))
print(",".join(loaded))
""" % (CORE_DIRS,)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    loaded = lines[1] if len(lines) > 1 else ""
    assert int(lines[0]) > 10
    assert loaded == "", f"Qt or UI loaded by the core: {loaded}"
