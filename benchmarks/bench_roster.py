"""Roster import: the app's whole import beside python-calamine merely reading the same
file plus a bare ``executemany`` of its rows, in the same run.

The roster is N synthetic members (``services.demo``: valid ID numbers, realistic names
with rare characters and ``·``) written to .xlsx by the app's own exporter (ID and phone as
text). Into a freshly set-up data folder (a laptop's first import):

* baseline = ``CalamineWorkbook.to_python()`` of the file + ``executemany`` of the rows
  as they are into a plain table, one transaction;
* app = ``read_roster`` (zip checks, header detection) + ``suggest_mapping`` +
  ``build_preview`` (every row through ``validate_member``, duplicate checks in file and
  database) + ``commit_import`` (``register_many``: validation again, duplicate queries,
  member + status history + consent rows, a change record each, pinyin search keys, an
  audit entry per member, one transaction).

    python -m benchmarks.bench_roster [--rows 50000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sqlite3
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


def baseline(path: Path, folder: Path) -> tuple[float, float, int]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(path))
    data = wb.get_sheet_by_index(0).to_python()
    wb.close()
    read = time.perf_counter() - started
    conn = sqlite3.connect(str(folder / "bare.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"CREATE TABLE roster ({', '.join(f'c{i}' for i in range(len(data[0])))})")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO roster VALUES ({', '.join('?' * len(data[0]))})", data[1:])
    conn.execute("COMMIT")
    insert = time.perf_counter() - started
    conn.close()
    return read, insert, len(data) - 1


def app_import(ctx, path: Path) -> tuple[dict[str, float], int, int]:
    from clerk_app.services import roster_import as ri

    times = {}
    started = time.perf_counter()
    table = ri.read_roster(path)
    times["read_roster"] = time.perf_counter() - started
    started = time.perf_counter()
    mapping = ri.suggest_mapping(ctx.db, table.headers).mapping
    preview = ri.build_preview(ctx, table, mapping)
    times["build_preview"] = time.perf_counter() - started
    started = time.perf_counter()
    result = ri.commit_import(ctx, preview)
    times["commit_import"] = time.perf_counter() - started
    return times, len(result.saved), len(result.bad)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="roster rows (default 50000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="profile the app import and print the top entries")
    parser.add_argument("--cache-mb", type=int, default=0,
                        help="experiment: set SQLite's page cache to this many MB for the app import "
                             "(0: the app's own setting)")
    args = parser.parse_args(argv)

    from clerk_app.services.demo import demo_inputs
    from clerk_app.services.members import count
    from clerk_app.services.setup import SetupInput
    from clerk_app.workspace import open_workspace

    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        folder = Path(tmp)
        (folder / "data").mkdir()
        ws = open_workspace(folder / "data")
        try:
            ctx = ws.set_up(SetupInput(laptop_name="基准笔记本", union_name="大兴区黄村镇总工会", clerk_name="基准经办",
                                          password="bench-roster"))
            started = time.perf_counter()
            forms = demo_inputs(ctx, args.rows, seed=args.seed, today=ctx.today())
            roster = folder / "roster.xlsx"
            write_roster(roster, forms)
            prep = time.perf_counter() - started
            size = roster.stat().st_size

            read, insert, n_bare = baseline(roster, folder)
            if args.cache_mb:
                ws.db.conn.execute(f"PRAGMA cache_size=-{args.cache_mb * 1024}")
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            times, saved, bad = app_import(ctx, roster)
            if profiler:
                profiler.disable()
            assert n_bare == args.rows and saved == args.rows and bad == 0 and count(ctx) == args.rows, \
                (n_bare, saved, bad)
        finally:
            ws.close()

    bare_total = read + insert
    app_total = sum(times.values())
    print(f"\nroster import, {args.rows:,} rows x {len(HEADERS)} columns, {size / 1e6:.1f} MB .xlsx "
          f"(made in {prep:.1f} s, not timed)")
    print(f"  baseline  calamine read        {read:8.2f} s")
    print(f"  baseline  bare executemany     {insert:8.2f} s")
    print(f"  baseline  total                {bare_total:8.2f} s")
    for name, secs in times.items():
        print(f"  app       {name:<20} {secs:8.2f} s   ({secs * 1e6 / args.rows:7.0f} µs/row)")
    print(f"  app       total                {app_total:8.2f} s   ({args.rows / app_total:,.0f} rows/s)")
    print(f"ratio app/baseline {app_total / bare_total:.1f}x (aim: within 2x)")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
