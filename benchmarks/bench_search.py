"""Search latency: ``services.members.search`` beside the best plain SQL over the same indexes.

Four kinds of query a clerk types into the one search box, sampled from the data itself:
(a) a name fragment of 1-3 characters, (b) 2-3 pinyin initials, (c) the last 4-6 characters
of an ID number, (d) the last 4-6 digits of a phone. The floor for each kind is the plainest
SQL that reads the same indexes the app reads, as one statement per step with no Python
around it (never a table scan, which would flatter the app):

* name fragment: the exact-name look-up (``idx_members_name_birth``) and the fragment's gram
  range in ``member_keys`` read newest first (the gram the app would pick, chosen before the
  clock starts), joined to members by primary key;
* pinyin / digits: ``SELECT DISTINCT member_id ... WHERE key GLOB ? LIMIT 200`` on
  ``member_keys`` joined to members by primary key, in one statement.

Each round times every query once through the app and once through the floor, the order
alternating; p50 and p95 are taken over the queries of a kind within a round, and the
figures printed are the min / median / max of those over ``--rounds`` rounds, with the ratio
app/floor per round. Goal: every kind's app p95 at most 5 ms at 1,000,000 members.

    python -m benchmarks.bench_search [--members 200000] [--queries 200] [--rounds 5] [--plaintext]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import build_info, common_args, ensure_data, open_variant, plaintext_arg  # noqa: E402

LIMIT = 200
GOAL_MS = 5.0
_COLS = ("m.rowid, m.id, m.name, m.gender, m.birth_date, m.id_number, m.phone, m.occupation, m.platform,"
         " m.employer, u.name, m.status, m.join_date, m.missing_fields")
FLOOR_EXACT = (f"SELECT {_COLS} FROM members m JOIN unions u ON u.id = m.union_id"
               " WHERE m.name = ? AND m.merged_into IS NULL ORDER BY m.rowid DESC LIMIT ?")
FLOOR_GRAMS = (f"SELECT {_COLS} FROM member_keys k JOIN members m ON m.id = k.member_id"
               " JOIN unions u ON u.id = m.union_id WHERE k.key > ? AND k.key < ?"
               " AND m.name LIKE ? AND m.name != ? AND m.merged_into IS NULL ORDER BY k.key DESC LIMIT ?")
FLOOR_KEYS = (f"WITH ids AS (SELECT DISTINCT member_id FROM member_keys WHERE key GLOB ? LIMIT ?)"
              f" SELECT {_COLS} FROM ids JOIN members m ON m.id = ids.member_id JOIN unions u ON u.id = m.union_id")
KINDS = ("name-fragment", "pinyin-initials", "id-tail", "phone-tail")


def sample_queries(conn, per_kind: int, seed: int) -> dict[str, list[tuple[str, object]]]:
    """(app query, floor) per kind, drawn from random members; a floor is a function of the
    connection returning rows."""
    from pypinyin import lazy_pinyin

    from clerk_app.storage.members_repo import _rarest_gram, gram_range

    class _Db:  # what _rarest_gram takes: something with .conn
        def __init__(self, conn):
            self.conn = conn

    rng = random.Random(seed)
    total = conn.execute("SELECT max(rowid) FROM members").fetchone()[0]
    picks = []
    while len(picks) < per_kind:
        row = conn.execute("SELECT name, id_number, phone FROM members WHERE rowid = ? AND merged_into IS NULL",
                           [rng.randint(1, total)]).fetchone()
        if row:
            picks.append(row)
    out: dict[str, list[tuple[str, object]]] = {k: [] for k in KINDS}
    for name, id_number, phone in picks:
        plain = name.replace("·", "")
        size = min(len(plain), rng.choice((1, 2, 2, 2, 3)))
        start = rng.randint(0, len(plain) - size)
        fragment = plain[start:start + size]
        low, high = gram_range(_rarest_gram(_Db(conn), fragment))  # chosen before the clock starts

        def fragment_floor(c, f=fragment, lo=low, hi=high):
            exact = c.execute(FLOOR_EXACT, [f, LIMIT]).fetchall()
            return exact + c.execute(FLOOR_GRAMS, [lo, hi, f"%{f}%", f, LIMIT - len(exact)]).fetchall()

        out["name-fragment"].append((fragment, fragment_floor))
        initials = "".join(p[0] for p in lazy_pinyin(plain) if p)[: rng.choice((2, 3, 3))].lower()
        out["pinyin-initials"].append((initials, _keys_floor(f"p:{initials}*")))
        tail = id_number[-rng.randint(4, 6):]
        out["id-tail"].append((tail, _keys_floor(f"d:{tail[::-1]}*")))
        tail = phone[-rng.randint(4, 6):]
        out["phone-tail"].append((tail, _keys_floor(f"d:{tail[::-1]}*")))
    return out


def _keys_floor(pattern: str):
    return lambda c: c.execute(FLOOR_KEYS, [pattern, LIMIT]).fetchall()


def _time(fn) -> tuple[float, int]:
    started = time.perf_counter()
    rows = fn()
    return (time.perf_counter() - started) * 1000, len(rows)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(ctx, queries: dict[str, list[tuple[str, object]]], rounds: int) -> dict[str, dict]:
    """Per kind: lists (one entry per round) of app/floor p50 and p95 and the rows returned."""
    from clerk_app.services.members import search

    conn = ctx.db.conn
    for items in queries.values():  # warm-up: statements prepared, pages cached once
        for q, floor in items[: max(1, len(items) // 5)]:
            search(ctx, q)
            floor(conn)
    results = {k: {"app50": [], "app95": [], "floor50": [], "floor95": [], "ratio95": [], "rows": [],
                   "floor_rows": []} for k in queries}
    for r in range(rounds):
        for kind, items in queries.items():
            app, floor_ms = [], []
            for n, (q, floor) in enumerate(items):
                for who in ((0, 1) if (n + r) % 2 == 0 else (1, 0)):  # alternate who goes first
                    if who == 0:
                        ms, rows = _time(lambda: search(ctx, q))
                        app.append(ms)
                    else:
                        ms, floor_rows = _time(lambda: floor(conn))
                        floor_ms.append(ms)
                if r == 0:
                    results[kind]["rows"].append(rows)
                    results[kind]["floor_rows"].append(floor_rows)
            res = results[kind]
            res["app50"].append(pct(app, 50))
            res["app95"].append(pct(app, 95))
            res["floor50"].append(pct(floor_ms, 50))
            res["floor95"].append(pct(floor_ms, 95))
            res["ratio95"].append(pct(app, 95) / max(pct(floor_ms, 95), 1e-6))
    return results


def _mmm(values: list[float], fmt: str = "{:.3f}") -> str:
    return "/".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def data_size(conn, folder: Path) -> str:
    members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
    keys = conn.execute("SELECT count(*) FROM member_keys").fetchone()[0]
    size = sum(f.stat().st_size for f in folder.iterdir() if f.name.startswith("clerk.db"))
    return f"{members:,} members, {keys:,} search keys, database {size / 2**20:,.0f} MiB"


def report(results: dict[str, dict], rounds: int, queries: int) -> None:
    print(f"\nsearch latency, ms, min/median/max over {rounds} interleaved rounds of {queries} queries per kind"
          f" (limit {LIMIT}; floor = plain SQL over the same indexes)")
    head = f"{'query kind':<16}{'app p50':>22}{'app p95':>22}{'floor p95':>22}{'app/floor p95':>20}{'rows':>8}"
    print(head)
    print("-" * len(head))
    for kind, r in results.items():
        print(f"{kind:<16}{_mmm(r['app50']):>22}{_mmm(r['app95']):>22}{_mmm(r['floor95']):>22}"
              f"{_mmm(r['ratio95'], '{:.2f}'):>20}{statistics.mean(r['rows']):>8.1f}")
    print()
    for kind, r in results.items():
        mismatched = sum(a != f for a, f in zip(r["rows"], r["floor_rows"]))
        p95 = statistics.median(r["app95"])
        verdict = "ok" if p95 <= GOAL_MS else f"OVER {GOAL_MS:g} ms"
        print(f"ratio {kind}: app/floor p95 = {statistics.median(r['ratio95']):.2f}x"
              f" (min {min(r['ratio95']):.2f}, max {max(r['ratio95']):.2f}); app p95 {p95:.2f} ms ({verdict})"
              + (f"; {mismatched} queries returned a different number of rows than the floor" if mismatched else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    plaintext_arg(parser)
    args = parser.parse_args(argv)

    folder = ensure_data(args.members, args.seed, args.cache_dir)
    print(f"data: {folder} (built at {build_info(folder)['members_per_second']:,.0f} members/s)")
    print("database: " + ("PLAINTEXT copy (baseline)" if args.plaintext else "encrypted (SQLCipher 4)"))
    ws = open_variant(folder, args.plaintext)
    try:
        ctx = ws.context()
        print("data size: " + data_size(ws.db.conn, folder))
        queries = sample_queries(ws.db.conn, args.queries, seed=args.seed)
        report(run(ctx, queries, args.rounds), args.rounds, args.queries)
    finally:
        ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
