"""The core never imports Qt or the UI, so the CLI, the tests and a later district hub can use it.

The rule, precisely: no module in ``clerk_app/{domain,storage,services,printing,sync,cli}`` or
directly in ``clerk_app/`` may import ``PySide6``, ``shiboken6`` or ``clerk_app.ui`` — at module
level *or inside a function* (a lazy import still drags Qt into the process when that code runs).
Relative imports are resolved before the check, and ``importlib.import_module("…")`` /
``__import__("…")`` with a literal name count as imports. The one exception is the window
launch itself: ``clerk_app/__main__.py`` and ``clerk_app/cli/__init__.py``, functions ``main``,
where running ``clerk-app`` without a sub-command opens the window. A second test imports every core module in a fresh
interpreter and checks that no Qt module got loaded (this catches imports through libraries).

The same import reader enforces three more boundaries. Every import counts, at module level
or inside a function; ``from pkg import name`` is an import of the module ``pkg.name`` when
there is one, else of ``pkg``.

* Layers (``LAYERS``): ``domain`` imports nothing of clerk_app but domain; ``storage`` only
  domain, storage and ``clerk_app.clock``; ``sheets`` (file formats) and ``printing`` only
  domain, their own package, ``clerk_app.paths`` and ``clerk_app.clock``; ``services`` only
  domain, storage, printing, sheets, sync, services and ``clerk_app.clock`` (never ui or cli);
  ``sync`` (package files, keys, merge) only domain, storage, sync and ``clerk_app.clock``; ``cli``
  anything but ui (the window launch above aside). ``clerk_app/__init__.py`` (name, version)
  is free to all. ``ui`` and the top-level modules that wire the app together (workspace,
  paths, __main__, launcher) are not restricted here.
* SQL (``sql_violations``): only ``clerk_app/storage/`` speaks SQL. Nowhere else in clerk_app
  a ``.execute(`` / ``.executemany(`` / ``.executescript(`` call, or a string literal that is an
  SQL statement (SELECT … FROM, INSERT INTO, UPDATE … SET, DELETE FROM, CREATE TABLE/INDEX/…,
  PRAGMA name, BEGIN [IMMEDIATE …]; any case, f-strings too). Statement shapes rather than
  bare keywords, and docstrings are skipped, so prose like "Create the …" is not SQL.
  ``tests/`` and ``benchmarks/`` are outside clerk_app and not checked: they build fixtures
  and measure the database with SQL on purpose.
* No import cycles among clerk_app modules (``cycles``), function-level imports included: a
  lazy import "to avoid a cycle" still is one.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clerk_app"
CORE_DIRS = ("domain", "storage", "services", "printing", "sync", "cli")
FORBIDDEN = ("PySide6", "shiboken6", "clerk_app.ui")
# (file, enclosing function): the window launch, from the entry point (``clerk-app`` alone,
# without the CLI's modules) and from the CLI (``clerk-app --data-dir DIR`` parsed there too)
ALLOWED = {("clerk_app/cli/__init__.py", "main"), ("clerk_app/__main__.py", "main")}


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


# ---------------------------------------------------------------- layers

# layer -> what its modules may import of clerk_app (layers by package name, or single modules)
LAYERS = {
    "domain": {"domain"},
    "storage": {"domain", "storage", "clerk_app.clock"},
    "sheets": {"domain", "sheets", "clerk_app.paths", "clerk_app.clock"},
    "printing": {"domain", "printing", "clerk_app.paths", "clerk_app.clock"},
    "services": {"domain", "storage", "printing", "sheets", "sync", "services", "clerk_app.clock"},
    "sync": {"domain", "storage", "sync", "clerk_app.clock"},
    "cli": None,  # anything but ui: see FORBIDDEN / ALLOWED above
}


def all_modules() -> dict[str, Path]:
    return {module_name(p)[0]: p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = all_modules()


def clerk_imports(tree: ast.AST, module: str, is_pkg: bool, modules=MODULES):
    """(clerk_app module, line, enclosing function) for every import of clerk_app in the file:
    ``from a.b import c`` is the module ``a.b.c`` if there is one, else ``a.b``."""
    def target(name: str) -> str:
        parts = name.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        return ".".join(parts)

    names = list(imported_names(tree, module, is_pkg))
    seen = set()
    for i, (name, line, func) in enumerate(names):
        if name != "clerk_app" and not name.startswith("clerk_app."):
            continue
        # imported_names gives "from base import x" as base, then base.x: keep the most precise
        nxt = names[i + 1] if i + 1 < len(names) else None
        if nxt and nxt[1] == line and nxt[0].startswith(name + ".") and target(nxt[0]) != target(name):
            continue
        found = target(name)
        if found and (found, line, func) not in seen:
            seen.add((found, line, func))
            yield found, line, func


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def layer_violations(path: Path, source: str | None = None, module: str | None = None) -> list[str]:
    mod, is_pkg = module_name(path) if module is None else (module, False)
    layer = layer_of(mod)
    if layer is None or LAYERS[layer] is None:
        return []
    allowed = LAYERS[layer]
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    found = []
    for name, line, func in clerk_imports(tree, mod, is_pkg):
        if name == "clerk_app" or layer_of(name) in allowed or name in allowed:
            continue
        found.append(f"{mod}:{line} ({layer}) imports {name}" + (f" (in {func})" if func else ""))
    return found


def test_the_layer_checker_catches_an_import_against_the_order():
    source = "\n".join([
        "from ..domain.errors import UserError",
        "from .. import clock",
        "from . import members_repo",
        "from .. import APP_NAME",
        "from ..services import members",
        "def later():",
        "    from clerk_app.ui import app",
        "    import clerk_app.sheets.roster_files",
        "from ..printing.cards import card_pdf",
    ])
    bad = layer_violations(PACKAGE / "storage" / "_fake.py", source, "clerk_app.storage._fake")
    assert [b.split(" imports ")[1] for b in bad] == [
        "clerk_app.services.members", "clerk_app.ui.app (in later)", "clerk_app.sheets.roster_files (in later)",
        "clerk_app.printing.cards"]
    assert layer_violations(PACKAGE / "domain" / "_fake.py", "from .. import clock", "clerk_app.domain._fake")
    assert layer_violations(PACKAGE / "sheets" / "_fake.py", "from ..services.context import Context",
                            "clerk_app.sheets._fake")
    assert not layer_violations(PACKAGE / "services" / "_fake.py",
                                "from ..sheets import xlsx_writer\nfrom ..storage.db import transaction",
                                "clerk_app.services._fake")
    assert layer_violations(PACKAGE / "services" / "_fake.py", "from ..cli.common import out",
                            "clerk_app.services._fake")


@pytest.mark.parametrize("path", [p for m, p in MODULES.items() if layer_of(m) and LAYERS[layer_of(m)]],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_imports_only_lower_layers(path):
    assert layer_violations(path) == []


# ---------------------------------------------------------------- SQL

SQL_CALLS = {"execute", "executemany", "executescript"}
SQL_STATEMENT = re.compile(
    r"\s*(select\b.*\bfrom\b|select\s+\d|insert\s+(or\s+\w+\s+)?into\b|replace\s+into\b"
    r"|update\s+\S+\s+set\b|delete\s+from\b|create\s+(temp\w*\s+|unique\s+|virtual\s+)?"
    r"(table|index|view|trigger)\b|pragma\s+\w+|begin(\s+(immediate|exclusive|deferred|transaction))?\s*;?\s*$)",
    re.IGNORECASE | re.DOTALL)


def _string_text(node: ast.AST) -> str | None:
    """The text of a string literal; an f-string's replacement fields read as ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def sql_violations(source: str, rel: str) -> list[str]:
    tree = ast.parse(source)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and _string_text(n.body[0].value) is not None}
    inside_fstring = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            found.append(f"{rel}:{node.lineno} calls .{node.func.attr}(")
        elif id(node) not in docstrings and id(node) not in inside_fstring:
            text = _string_text(node)
            if text is not None and SQL_STATEMENT.match(text):
                found.append(f"{rel}:{node.lineno} holds SQL {text[:40]!r}")
    return sorted(found, key=lambda f: int(f.split(":")[1].split()[0]))


def test_the_sql_checker_catches_queries_outside_storage():
    source = "\n".join([
        '"""Create the member list; select from it, update it."""',
        "def f(ctx, tbl):",
        '    """Delete a member (a docstring, not SQL)."""',
        '    ctx.db.conn.execute("SELECT 1 FROM unions WHERE id = ?", [1])',
        "    cur.executemany(sql, rows)",
        "    conn.executescript(script)",
        '    q = f"delete from {tbl} where id = ?"',
        "    p = 'PRAGMA database_list'",
        "    u = '\\n  update members set name = ?'",
        "    i = 'insert or ignore into x values (1)'",
        "    b = 'BEGIN IMMEDIATE'",
        "    c = 'create index i on t(x)'",
        "    fine = ['选择', 'Update the card', 'select a union', 'begin here', 'created at', 'deleted from view']",
        "    ctx.changes.delete('members', 1)",
    ])
    found = sql_violations(source, "x.py")
    assert [int(f.split(":")[1].split()[0]) for f in found] == [4, 4, 5, 6, 7, 8, 9, 10, 11, 12]


@pytest.mark.parametrize("path", [p for m, p in MODULES.items() if not m.startswith("clerk_app.storage")],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_only_storage_speaks_sql(path):
    assert sql_violations(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()) == []


# ---------------------------------------------------------------- cycles

def import_graph(sources: dict[str, tuple[str, bool]], modules) -> dict[str, set[str]]:
    """module -> the clerk_app modules it imports (``sources``: module -> (source, is_pkg))."""
    return {mod: {name for name, _, _ in clerk_imports(ast.parse(source), mod, is_pkg, modules)
                  if name not in (mod, "clerk_app")}
            for mod, (source, is_pkg) in sources.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_the_cycle_checker_sees_a_cycle_through_a_lazy_import():
    modules = {"clerk_app", "clerk_app.services", "clerk_app.services.members", "clerk_app.services.signin",
               "clerk_app.services.cards", "clerk_app.storage", "clerk_app.storage.db",
               "clerk_app.storage.migrations", "clerk_app.storage.backup"}
    sources = {
        "clerk_app.services.members": ("from . import cards\ndef delete():\n    from . import signin\n", False),
        "clerk_app.services.signin": ("from .members import get_member\n", False),
        "clerk_app.services.cards": ("from ..storage.db import transaction\n", False),
        "clerk_app.storage.db": ("def open_db():\n    from .migrations import migrate\n", False),
        "clerk_app.storage.migrations": ("from .db import backup_to\n", False),
    }
    graph = import_graph(sources, modules)
    assert graph["clerk_app.services.members"] == {"clerk_app.services.cards", "clerk_app.services.signin"}
    assert cycles(graph) == [["clerk_app.services.members", "clerk_app.services.signin"],
                             ["clerk_app.storage.db", "clerk_app.storage.migrations"]]
    sources["clerk_app.storage.migrations"] = ("from .backup import backup_to\n", False)
    sources["clerk_app.services.members"] = ("from . import cards\n", False)
    assert cycles(import_graph(sources, modules)) == []


def test_clerk_app_has_no_import_cycles():
    sources = {m: (p.read_text(encoding="utf-8"), p.name == "__init__.py") for m, p in MODULES.items()}
    assert cycles(import_graph(sources, MODULES)) == []
