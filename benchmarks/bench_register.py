"""Registration cost: ``services.members.register_member`` (validate, duplicate checks, insert,
change records, search keys, status history, consent, audit) beside a bare
``INSERT INTO members`` of the same values, on a private copy of the N-member database.

Two ways are measured, each against its own baseline:
* one member per transaction (a clerk at the desk): ``register_member`` per form vs one bare
  INSERT per form, each committed on its own (synchronous=FULL, so each pays an fsync);
* the bulk path (a roster import): ``register_many`` over all forms in one transaction vs the
  bare INSERTs in one transaction.

    python -m benchmarks.bench_register [--members 200000] [--count 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import common_args, copy_data, ensure_data, open_data  # noqa: E402
from benchmarks.bench_search import pct  # noqa: E402


def bare_rows(forms, today):
    """The members rows a registration of ``forms`` would write (validated outside the timing)."""
    from clerk_app.domain import vocab
    from clerk_app.domain.member import validate_member
    from clerk_app.services.context import new_id

    now = "2026-01-01T00:00:00+08:00"
    rows = []
    for form in forms:
        clean, issues = validate_member(form, today)
        assert not issues, issues
        rows.append({"id": new_id(), **clean.values, "status": vocab.ACTIVE, "created_at": now, "updated_at": now})
    return rows


def _insert_sql(row: dict) -> str:
    cols = list(row)
    return f"INSERT INTO members ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


def time_bare(conn, rows, *, one_transaction: bool) -> list[float]:
    sql = _insert_sql(rows[0])
    times = []
    if one_transaction:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for row in rows:
            conn.execute(sql, list(row.values()))
        conn.execute("COMMIT")
        return [(time.perf_counter() - started) * 1000 / len(rows)]
    for row in rows:
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sql, list(row.values()))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - started) * 1000)
    return times


def undo_bare(conn, rows) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("DELETE FROM members WHERE id = ?", [[r["id"]] for r in rows])
    conn.execute("COMMIT")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--count", type=int, default=1000, help="registrations measured per way (default 1000)")
    args = parser.parse_args(argv)


    from clerk_app.services.demo import demo_inputs
    from clerk_app.services.members import count, register_many, register_member

    folder = ensure_data(args.members, args.seed, args.cache_dir)
    from clerk_app.clock import SYSTEM

    today = SYSTEM.today()
    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        copy_data(folder, Path(tmp))
        ws = open_data(Path(tmp))
        try:
            ctx = ws.context()
            conn = ws.db.conn
            before = count(ctx)
            forms = demo_inputs(ctx, 2 * args.count, seed=args.seed + 1, today=today)
            single, bulk = forms[: args.count], forms[args.count:]

            rows = bare_rows(single, today)
            bare_single = time_bare(conn, rows, one_transaction=False)
            undo_bare(conn, rows)
            app_single = []
            for form in single:
                started = time.perf_counter()
                register_member(ctx, form, today=today)
                app_single.append((time.perf_counter() - started) * 1000)

            rows = bare_rows(bulk, today)
            bare_bulk = time_bare(conn, rows, one_transaction=True)[0]
            undo_bare(conn, rows)
            started = time.perf_counter()
            result = register_many(ctx, bulk, today=today)
            app_bulk = (time.perf_counter() - started) * 1000 / len(bulk)
            assert not result.rejected and count(ctx) == before + 2 * args.count
        finally:
            ws.close()

    print(f"\nregistration on a copy of {before:,} members, {args.count:,} forms per way (ms per member)")
    head = f"{'way':<34}{'app p50':>10}{'app p95':>10}{'app mean':>10}{'bare p50':>10}{'bare mean':>11}{'x mean':>8}"
    print(head)
    print("-" * len(head))
    mean = sum(app_single) / len(app_single)
    bare_mean = sum(bare_single) / len(bare_single)
    print(f"{'one transaction per member':<34}{pct(app_single, 50):>10.3f}{pct(app_single, 95):>10.3f}{mean:>10.3f}"
          f"{pct(bare_single, 50):>10.3f}{bare_mean:>11.3f}{mean / bare_mean:>8.2f}")
    print(f"{'bulk (register_many, one tx)':<34}{'':>10}{'':>10}{app_bulk:>10.3f}{'':>10}{bare_bulk:>11.3f}"
          f"{app_bulk / bare_bulk:>8.2f}")
    print(f"\nthroughput: {1000 / mean:,.0f} members/s one by one, {1000 / app_bulk:,.0f} members/s in bulk")
    print(f"ratio register one-by-one: app/bare mean = {mean / bare_mean:.2f}x")
    print(f"ratio register bulk: app/bare mean = {app_bulk / bare_bulk:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
