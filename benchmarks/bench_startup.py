"""Window start-up on the N-member database: the app (open the workspace: lock, checks,
unlock, migrations; then ``build_main_window`` + show) beside a *lean window*, the floor:
Qt + SQLCipher alone unlocking the same key (same keyring, same Argon2id), reading the same
first page (200 members newest first) and the same count, and showing them in a window with a
navigation list, a table over a minimal model and a status label.

Each run is a pair of fresh subprocesses (QT_QPA_PLATFORM=offscreen), app and floor, the order
alternating, so nothing is warm from a previous run. Inside each: the application is prepared
(the app's translations and font; the floor a bare QApplication), one throw-away window absorbs
Qt's first-window costs, then the window is timed from before unlocking to shown. Also timed:
cold, from process start (imports included) to the window shown. Printed: min/median/max over
``--runs`` pairs and the app/floor ratio per pair. Goal: app ≤ 1.5x the lean window.

    python -m benchmarks.bench_startup [--members 200000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import REPO, common_args, ensure_data  # noqa: E402

_T0 = time.perf_counter()


def _settle(app, window) -> None:
    window.show()
    app.processEvents()
    handle = window.windowHandle()
    deadline = time.perf_counter() + 5
    while handle is not None and not handle.isExposed() and time.perf_counter() < deadline:
        app.processEvents()
    app.processEvents()


def child(folder: Path) -> dict:
    from PySide6.QtWidgets import QMainWindow

    from clerk_app.ui.app import build_main_window, prepare_application
    from benchmarks._data import open_data

    app = prepare_application(["bench"])
    imported = time.perf_counter()
    warm = QMainWindow()
    _settle(app, warm)
    warm.close()

    started = time.perf_counter()
    bare = QMainWindow()
    bare.resize(1366, 800)
    _settle(app, bare)
    bare_ms = (time.perf_counter() - started) * 1000
    bare.close()

    import clerk_app.workspace as workspace_module

    checking: list[float] = []
    real_check = workspace_module._check

    def timed_check(*a, **kw):  # the start-up integrity check (PRAGMA quick_check), timed apart
        begun = time.perf_counter()
        try:
            return real_check(*a, **kw)
        finally:
            checking.append((time.perf_counter() - begun) * 1000)

    workspace_module._check = timed_check
    started = time.perf_counter()
    ws = open_data(folder)  # includes unlocking: Argon2id at the real cost
    opened = time.perf_counter()
    window = build_main_window(ws)
    _settle(app, window)
    shown = time.perf_counter()
    window.close()
    app.processEvents()
    ws.close()
    return {"bare_ms": bare_ms, "check_ms": sum(checking), "open_ms": (opened - started) * 1000, "window_ms": (shown - opened) * 1000,
            "app_ms": (shown - started) * 1000, "imports_ms": (imported - _T0) * 1000,
            "cold_ms": (shown - _T0) * 1000}


FIRST_PAGE = ("SELECT m.rowid, m.id, m.name, m.gender, m.birth_date, m.id_number, m.phone, m.occupation,"
              " m.platform, m.employer, u.name, m.status, m.join_date, m.missing_fields FROM members m"
              " JOIN unions u ON u.id = m.union_id WHERE m.merged_into IS NULL ORDER BY m.rowid DESC LIMIT 200")
COUNT = "SELECT count(*) FROM members WHERE merged_into IS NULL"


def floor_child(folder: Path) -> dict:
    """The lean window: Qt and SQLCipher, the same key unwrapped the same way, the same first
    page and count shown."""
    from PySide6.QtCore import QAbstractTableModel, Qt
    from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QListWidget, QMainWindow, QTableView, QWidget
    from sqlcipher3 import dbapi2 as sqlcipher

    from clerk_app.storage.keyring import Keyring
    from clerk_app.workspace import DEMO_PASSWORD

    class Rows(QAbstractTableModel):
        def __init__(self, rows):
            super().__init__()
            self.rows = rows

        def rowCount(self, parent=None):  # noqa: N802 - Qt's name
            return len(self.rows)

        def columnCount(self, parent=None):  # noqa: N802
            return 13

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self.rows[index.row()][index.column() + 1])
            return None

    app = QApplication(["bench"])
    imported = time.perf_counter()
    warm = QMainWindow()
    _settle(app, warm)
    warm.close()

    started = time.perf_counter()
    ring = Keyring.load(folder)
    key = ring.unlock(ring.find_clerk(None), DEMO_PASSWORD)
    unlocked = time.perf_counter()
    conn = sqlcipher.connect(str(folder / "clerk.db"))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    rows = conn.execute(FIRST_PAGE).fetchall()
    total = conn.execute(COUNT).fetchone()[0]
    opened = time.perf_counter()
    window = QMainWindow()
    window.resize(1366, 800)
    central = QWidget()
    layout = QHBoxLayout(central)
    nav = QListWidget()
    nav.addItems(["会员", "服务卡", "活动签到", "困难职工", "同步"])
    table = QTableView()
    table.setModel(Rows(rows))
    layout.addWidget(nav)
    layout.addWidget(table, 1)
    window.setCentralWidget(central)
    window.statusBar().addPermanentWidget(QLabel(f"会员 {total} 名"))
    _settle(app, window)
    shown = time.perf_counter()
    conn.close()
    return {"floor_ms": (shown - started) * 1000, "floor_open_ms": (opened - started) * 1000,
            "unlock_ms": (unlocked - started) * 1000,
            "floor_imports_ms": (imported - _T0) * 1000, "floor_cold_ms": (shown - _T0) * 1000}


def _run_child(flag: list[str], env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_startup", *flag],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(proc.returncode)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _mmm(values: list[float]) -> str:
    return "/".join(f"{v:,.0f}" for v in (min(values), statistics.median(values), max(values)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--runs", type=int, default=5, help="pairs of fresh processes (default 5)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(args.child)))
        return 0
    if args.floor_child:
        print("RESULT " + json.dumps(floor_child(args.floor_child)))
        return 0

    folder = ensure_data(args.members, args.seed, args.cache_dir)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    runs = []
    for n in range(args.runs):
        result: dict = {}
        for who in (("app", "floor") if n % 2 == 0 else ("floor", "app")):
            (folder / "window.ini").unlink(missing_ok=True)  # every run starts from default geometry
            flag = "--child" if who == "app" else "--floor-child"
            result.update(_run_child([flag, str(folder)], env))
        runs.append(result)

    def col(key: str) -> list[float]:
        return [r[key] for r in runs]

    db_mib = sum(f.stat().st_size for f in folder.iterdir() if f.name.startswith("clerk.db")) / 2**20
    print(f"\nwindow start-up on {args.members:,} members (database {db_mib:,.0f} MiB), ms,"
          f" min/median/max over {len(runs)} interleaved pairs of fresh processes")
    rows = (("bare QMainWindow: construct + show", "bare_ms"),
            ("unlock alone (keys.json, Argon2id at the real cost)", "unlock_ms"),
            ("lean window: unlock + first page + count", "floor_open_ms"),
            ("lean window: unlock -> shown (floor)", "floor_ms"),
            ("app: open workspace (lock, checks, unlock, migrations)", "open_ms"),
            ("  of which the start-up PRAGMA quick_check", "check_ms"),
            ("app: build_main_window + show", "window_ms"),
            ("app: unlock -> shown", "app_ms"),
            ("app: imports + QApplication", "imports_ms"),
            ("lean window: imports + QApplication", "floor_imports_ms"),
            ("cold: process start -> app window shown", "cold_ms"),
            ("cold: process start -> lean window shown", "floor_cold_ms"))
    for label, key in rows:
        print(f"  {label:<56}{_mmm(col(key)):>22}")
    ratio = [r["app_ms"] / max(r["floor_ms"], 1e-6) for r in runs]
    cold = [r["cold_ms"] / max(r["floor_cold_ms"], 1e-6) for r in runs]
    # Argon2id is the same cost on both sides and dominates them: the ratio without it shows
    # what the app adds to the same work
    bare_ratio = [(r["app_ms"] - r["unlock_ms"]) / max(r["floor_ms"] - r["unlock_ms"], 1e-6) for r in runs]
    print(f"\nratio startup: app/lean window (unlock -> shown) = {statistics.median(ratio):.2f}x"
          f" (min {min(ratio):.2f}, max {max(ratio):.2f}; {statistics.median(col('app_ms')):.0f} ms"
          f" vs {statistics.median(col('floor_ms')):.0f} ms; goal 1.5x)")
    print(f"ratio startup without the unlock: app/lean window = {statistics.median(bare_ratio):.2f}x"
          f" (min {min(bare_ratio):.2f}, max {max(bare_ratio):.2f})")
    unchecked = [(r["app_ms"] - r["check_ms"]) / max(r["floor_ms"], 1e-6) for r in runs]
    print(f"ratio startup without the quick_check: app/lean window = {statistics.median(unchecked):.2f}x"
          f" (min {min(unchecked):.2f}, max {max(unchecked):.2f})")
    print(f"ratio cold startup: app/lean window (process start -> shown) = {statistics.median(cold):.2f}x"
          f" (min {min(cold):.2f}, max {max(cold):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
