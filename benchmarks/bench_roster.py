"""Roster import: the app's whole import beside the floor of the same work, in the same run.

The roster is N synthetic members (``services.demo``: valid ID numbers, realistic names
with rare characters and ``·``) written to .xlsx by the app's own exporter (ID and phone as
text). Each side imports it into its own freshly set-up data folder (a laptop's first import):

* app = ``read_roster`` (zip checks, header detection) + ``suggest_mapping`` +
  ``build_preview`` (every row through ``validate_member``, duplicate checks in file and
  database) + ``commit_import`` (member + status history + consent rows, a change record
  each, pinyin search keys, an audit entry per member, one transaction). The two automatic
  backups around the import are timed apart (``backups``) and left out of the ratio: the
  floor writes rows, not backup files.
* floor = ``benchmarks._roster_floor``: python-calamine reads the file, ``validate_member``
  checks each row, one duplicate query per kind, and exactly the same rows go in with one
  ``executemany`` per table per chunk (clock and audit chain in memory). After the first
  round the two databases are compared row by row (``same_rows``: same members, keys,
  history, consents; change records in the same order with increasing stamps; the audit
  chain valid by the app's own check).

Rounds alternate which side goes first; min / median / max are printed for each.

    python -m benchmarks.bench_roster [--rows 10000,50000] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADERS = ["序号", "姓名", "身份证号码", "手机号码", "民族", "职业", "平台", "工作单位", "工作区域/站点",
           "学历", "政治面貌", "入会日期", "备注"]


def write_roster(path: Path, forms) -> None:
    from clerk_app.sheets.xlsx_writer import export_rows

    rows = ([i + 1, f.name, f.id_number, f.phone, f.ethnicity, f.occupation, f.platform, f.employer, f.work_area,
             f.education, f.political_status, f.join_date, f.remarks] for i, f in enumerate(forms))
    export_rows(path, HEADERS, rows, text_columns=["身份证号码", "手机号码"])


def fresh(root: Path, name: str):
    from clerk_app.services.setup import SetupInput
    from clerk_app.workspace import open_workspace

    folder = root / name
    folder.mkdir()
    ws = open_workspace(folder)
    ctx = ws.set_up(SetupInput(laptop_name="基准笔记本", union_name="大兴区黄村镇总工会", clerk_name="基准经办",
                               password="bench-roster"))
    return ws, ctx


def app_import(ctx, path: Path, profiler=None) -> tuple[dict[str, float], int]:
    from clerk_app.services import backups
    from clerk_app.services import roster_import as ri

    times = {"backups": 0.0}
    real = backups.around_import

    def timed_backup(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            times["backups"] += time.perf_counter() - started

    backups.around_import = timed_backup
    try:
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        table = ri.read_roster(path)
        times["read_roster"] = time.perf_counter() - started
        started = time.perf_counter()
        mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
        preview = ri.build_preview(ctx, table, mapping)
        times["build_preview"] = time.perf_counter() - started
        started = time.perf_counter()
        result = ri.commit_import(ctx, preview)
        times["commit_import"] = time.perf_counter() - started - times["backups"]
        if profiler:
            profiler.disable()
    finally:
        backups.around_import = real
    if result.bad:
        raise RuntimeError(f"{len(result.bad)} rows refused: {result.bad[0].reason}")
    return times, len(result.saved)


def spread(values: list[float]) -> str:
    return f"{min(values):8.2f} {statistics.median(values):8.2f} {max(values):8.2f}"


def one_size(rows: int, rounds: int, seed: int, profile: bool) -> tuple[float, float]:
    """Run ``rounds`` interleaved rounds at ``rows`` rows; print the table; return median app, floor."""
    from benchmarks._roster_floor import floor_import, marks, same_rows
    from clerk_app.services.demo import demo_inputs

    app_times: dict[str, list[float]] = {}
    app_total, floor_total = [], []
    profiler = cProfile.Profile() if profile else None
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        root = Path(tmp)
        ws, ctx = fresh(root, "inputs")
        try:
            started = time.perf_counter()
            forms = demo_inputs(ctx, rows, seed=seed, today=ctx.today())
            roster = root / "roster.xlsx"
            write_roster(roster, forms)
            prep = time.perf_counter() - started
        finally:
            ws.close()
        size = roster.stat().st_size
        compared: dict[str, int] = {}
        db_bytes = 0
        for n in range(rounds):
            sides = ("app", "floor") if n % 2 == 0 else ("floor", "app")
            opened = {}
            try:
                for side in sides:
                    opened[side] = fresh(root, f"{side}-{n}")
                mark = {side: marks(c.db) for side, (_ws, c) in opened.items()}
                for side in sides:
                    ctx = opened[side][1]
                    if side == "app":
                        times, saved = app_import(ctx, roster, profiler if n == 0 else None)
                        for k, v in times.items():
                            app_times.setdefault(k, []).append(v)
                        app_total.append(sum(v for k, v in times.items() if k != "backups"))
                    else:
                        started = time.perf_counter()
                        saved = floor_import(ctx, roster)
                        floor_total.append(time.perf_counter() - started)
                    if saved != rows:
                        raise RuntimeError(f"{side}: {saved} of {rows} saved")
                if n == 0:
                    compared = same_rows(opened["app"][1].db, mark["app"], opened["floor"][1].db, mark["floor"])
                    db_bytes = (root / "app-0" / "clerk.db").stat().st_size
            finally:
                for ws, _ctx in opened.values():
                    ws.close()
                for side in opened:
                    shutil.rmtree(root / f"{side}-{n}", ignore_errors=True)

    print(f"\nroster import, {rows:,} rows x {len(HEADERS)} columns, {size / 1e6:.1f} MB .xlsx "
          f"(made in {prep:.1f} s, not timed); {rounds} rounds, interleaved; each side into a fresh data folder")
    print("  same rows checked: " + ", ".join(f"{k} {v:,}" for k, v in compared.items()))
    print(f"  database after the import: {db_bytes / 2**20:,.1f} MiB")
    print(f"  {'seconds':<34} {'min':>8} {'median':>8} {'max':>8}")
    for name, values in app_times.items():
        if name != "backups":
            print(f"  app    {name:<27} {spread(values)}")
    print(f"  app    total (without backups)     {spread(app_total)}")
    print(f"  app    backups before + after      {spread(app_times['backups'])}   (not in the ratio)")
    print(f"  floor  same rows, executemany      {spread(floor_total)}")
    ratios = [a / f for a, f in zip(app_total, floor_total)]
    app_med, floor_med = statistics.median(app_total), statistics.median(floor_total)
    print(f"ratio roster {rows}: app/floor median {app_med / floor_med:.2f}x "
          f"(per round min {min(ratios):.2f}x max {max(ratios):.2f}x; aim: within 1.3x)")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    return app_med, floor_med


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,50000", help="roster rows, comma separated (default 10000,50000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="profile the first app import and print the top entries")
    args = parser.parse_args(argv)
    for rows in (int(r) for r in args.rows.split(",")):
        one_size(rows, args.rounds, args.seed, args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
