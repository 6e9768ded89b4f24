"""Search latency: ``services.members.search`` beside the raw SQL doing the same lookup.

Four kinds of query a clerk types into the one search box, sampled from the data itself:
(a) a name fragment, (b) pinyin initials, (c) the last 4-6 characters of an ID number,
(d) the last 4-6 digits of a phone. Each query runs through the app and through the bare
SQL (``name LIKE ?`` on members; the indexed ``GLOB`` on member_keys joined to members),
alternately, ``--repeat`` times, in the same run, after a warm-up. Each query's figure is the
median of its repeats (sub-millisecond timings on a busy machine are noisy); p50 and p95 are
taken over the queries and printed with the app/raw ratio. Target: app p95 within 1.5x of raw.

    python -m benchmarks.bench_search [--members 200000] [--queries 300] [--plaintext]

``--plaintext`` runs the same queries on an unencrypted copy: the difference of the two runs'
figures is SQLCipher's cost (the app/raw ratio compares like with like in either run).
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
_COLS = ("m.rowid, m.id, m.name, m.gender, m.birth_date, m.id_number, m.phone, m.occupation, m.platform,"
         " m.employer, u.name, m.status, m.join_date")
RAW_LIKE = (f"SELECT {_COLS} FROM members m JOIN unions u ON u.id = m.union_id"
            " WHERE m.name LIKE ? LIMIT ?")
RAW_GLOB = (f"SELECT {_COLS} FROM member_keys k JOIN members m ON m.id = k.member_id"
            " JOIN unions u ON u.id = m.union_id WHERE k.key GLOB ? LIMIT ?")
KINDS = ("name-fragment", "pinyin-initials", "id-tail", "phone-tail")


def sample_queries(conn, per_kind: int, seed: int) -> dict[str, list[tuple[str, str, str]]]:
    """(app query, raw SQL, raw parameter) per kind, drawn from random members."""
    from pypinyin import lazy_pinyin

    rng = random.Random(seed)
    total = conn.execute("SELECT max(rowid) FROM members").fetchone()[0]
    picks = []
    while len(picks) < per_kind:
        row = conn.execute("SELECT name, id_number, phone FROM members WHERE rowid = ?",
                           [rng.randint(1, total)]).fetchone()
        if row:
            picks.append(row)
    out: dict[str, list[tuple[str, str, str]]] = {k: [] for k in KINDS}
    for name, id_number, phone in picks:
        plain = name.replace("·", "")
        size = min(len(plain), rng.choice((1, 2, 2, 2, 3)))
        start = rng.randint(0, len(plain) - size)
        fragment = plain[start:start + size]
        out["name-fragment"].append((fragment, RAW_LIKE, f"%{fragment}%"))
        initials = "".join(p[0] for p in lazy_pinyin(plain) if p)[: rng.choice((2, 3, 3))].lower()
        out["pinyin-initials"].append((initials, RAW_GLOB, f"p:{initials}*"))
        tail = id_number[-rng.randint(4, 6):]
        out["id-tail"].append((tail, RAW_GLOB, f"d:{tail[::-1]}*"))
        tail = phone[-rng.randint(4, 6):]
        out["phone-tail"].append((tail, RAW_GLOB, f"d:{tail[::-1]}*"))
    return out


def _time(fn) -> tuple[float, int]:
    started = time.perf_counter()
    rows = fn()
    return (time.perf_counter() - started) * 1000, len(rows)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(ctx, queries: dict[str, list[tuple[str, str, str]]], repeat: int) -> dict[str, dict]:
    from clerk_app.services.members import search

    conn = ctx.db.conn
    results = {}
    for kind, items in queries.items():
        for q, sql, param in items[: max(1, len(items) // 5)]:  # warm-up: caches, statements
            search(ctx, q)
            conn.execute(sql, [param, LIMIT]).fetchall()
        app, raw, app_rows, raw_rows = [], [], [], []
        for q, sql, param in items:
            app_ms, raw_ms = [], []
            for n in range(repeat):
                order = (0, 1) if n % 2 == 0 else (1, 0)  # alternate who goes first
                for who in order:
                    if who == 0:
                        ms, count = _time(lambda: search(ctx, q))
                        app_ms.append(ms)
                    else:
                        ms, raw_count = _time(lambda: conn.execute(sql, [param, LIMIT]).fetchall())
                        raw_ms.append(ms)
            app.append(statistics.median(app_ms))  # one figure per query: scheduler noise out,
            raw.append(statistics.median(raw_ms))  # the spread over queries stays in p95
            app_rows.append(count)
            raw_rows.append(raw_count)
        results[kind] = {"n": len(app), "app": app, "raw": raw,
                         "rows": statistics.mean(app_rows), "raw_rows": statistics.mean(raw_rows)}
    return results


def report(results: dict[str, dict], members: int) -> None:
    print(f"\nsearch latency on {members:,} members (ms; rows = mean rows returned, limit {LIMIT})")
    head = f"{'query kind':<16}{'n':>6}{'app p50':>10}{'app p95':>10}{'raw p50':>10}{'raw p95':>10}" \
           f"{'p50 x':>8}{'p95 x':>8}{'rows':>8}{'raw rows':>10}"
    print(head)
    print("-" * len(head))
    for kind, r in results.items():
        a50, a95, r50, r95 = pct(r["app"], 50), pct(r["app"], 95), pct(r["raw"], 50), pct(r["raw"], 95)
        print(f"{kind:<16}{r['n']:>6}{a50:>10.3f}{a95:>10.3f}{r50:>10.3f}{r95:>10.3f}"
              f"{a50 / max(r50, 1e-6):>8.2f}{a95 / max(r95, 1e-6):>8.2f}{r['rows']:>8.1f}{r['raw_rows']:>10.1f}")
    print()
    for kind, r in results.items():
        ratio = pct(r["app"], 95) / max(pct(r["raw"], 95), 1e-6)
        verdict = "ok" if ratio <= 1.5 else "OVER 1.5x"
        print(f"ratio {kind}: app/raw p95 = {ratio:.2f}x ({verdict})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--queries", type=int, default=300, help="queries per kind (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query, median taken (default 5)")
    plaintext_arg(parser)
    args = parser.parse_args(argv)

    folder = ensure_data(args.members, args.seed, args.cache_dir)
    print(f"data: {folder} (built at {build_info(folder)['members_per_second']:,.0f} members/s)")
    print("database: " + ("PLAINTEXT copy (baseline)" if args.plaintext else "encrypted (SQLCipher 4)"))
    ws = open_variant(folder, args.plaintext)
    try:
        ctx = ws.context()
        queries = sample_queries(ws.db.conn, args.queries, seed=args.seed)
        report(run(ctx, queries, args.repeat), args.members)
    finally:
        ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
