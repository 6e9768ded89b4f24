"""Window start-up: constructing and showing the main window on the N-member database
(``clerk_app.ui.build_main_window``) beside a bare ``QMainWindow``, in the same process.

Each run is a fresh subprocess (QT_QPA_PLATFORM=offscreen) so nothing is warm from a
previous run. Inside it: the application is prepared (translations, bundled font), one
throw-away bare window absorbs Qt's first-window costs, then a bare QMainWindow and the
app's window are each built, shown and their pending events processed, and timed.
Also printed: the cold time from process start to the app's window shown (imports included).

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

    started = time.perf_counter()
    ws = open_data(folder)  # includes unlocking: Argon2id at the real cost
    opened = time.perf_counter()
    window = build_main_window(ws)
    _settle(app, window)
    shown = time.perf_counter()
    window.close()
    app.processEvents()
    ws.close()
    return {"bare_ms": bare_ms, "open_ms": (opened - started) * 1000, "window_ms": (shown - opened) * 1000,
            "app_ms": (shown - started) * 1000, "imports_ms": (imported - _T0) * 1000,
            "cold_ms": (shown - _T0) * 1000}


def bare_child() -> dict:
    """The raw baseline for the cold figure: a fresh process that imports Qt, makes the
    QApplication and shows an empty QMainWindow, and nothing else."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(["bench"])
    window = QMainWindow()
    window.resize(1366, 800)
    _settle(app, window)
    return {"bare_cold_ms": (time.perf_counter() - _T0) * 1000}


def _run_child(flag: list[str], env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_startup", *flag],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(proc.returncode)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes (default 5)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(args.child)))
        return 0
    if args.bare_child:
        print("RESULT " + json.dumps(bare_child()))
        return 0

    folder = ensure_data(args.members, args.seed, args.cache_dir)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    runs = []
    for _ in range(args.runs):
        (folder / "window.ini").unlink(missing_ok=True)  # every run starts from default geometry
        spawned = time.perf_counter()
        result = _run_child(["--child", str(folder)], env)
        result["process_ms"] = (time.perf_counter() - spawned) * 1000
        result.update(_run_child(["--bare-child"], env))
        runs.append(result)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"\nwindow start-up on {args.members:,} members, median of {len(runs)} fresh processes (ms)")
    rows = (("bare QMainWindow: construct + show", "bare_ms"),
            ("app: open workspace (lock, DB, migrate check)", "open_ms"),
            ("app: build_main_window + show", "window_ms"),
            ("app: open + build + show", "app_ms"),
            ("imports + QApplication (before any window)", "imports_ms"),
            ("cold: process start -> app window shown", "cold_ms"),
            ("cold: process start -> bare QMainWindow shown", "bare_cold_ms"))
    for label, key in rows:
        print(f"  {label:<48}{med(key):>10.1f}")
    print(f"\nratio startup: app/bare (open + build + show) = {med('app_ms') / max(med('bare_ms'), 1e-6):.1f}x"
          f" ({med('app_ms'):.0f} ms vs {med('bare_ms'):.0f} ms)")
    print(f"ratio cold startup: app/bare (process start -> window shown) = "
          f"{med('cold_ms') / max(med('bare_cold_ms'), 1e-6):.1f}x"
          f" ({med('cold_ms'):.0f} ms vs {med('bare_cold_ms'):.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
