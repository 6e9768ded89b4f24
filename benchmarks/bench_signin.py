"""Sign-in latency: a card scan to a confirmed attendance record, through
``services.signin.sign_in_scan``, beside the raw work it cannot avoid, in the same run:
the indexed look-up (``SELECT`` by card_no joined to the member) plus a bare ``INSERT`` of
the attendance row in its own transaction (same connection, same synchronous=FULL).

The app path adds: parsing and checking the card number, the card's status and the holder's
membership, the once-per-event check, the change record with its HLC stamp, the audit entry
with its hash chain, and reading the row back for the desk. Aim: app p95 within 2x of raw.

Data: the cached N-member folder of ``benchmarks/_data.py`` (an older-schema build is
reused too: the private copy is migrated when opened), copied, then M cards issued on the
copy. The cache itself is never written.

    python -m benchmarks.bench_signin [--members 200000] [--cards 5000] [--scans 1000] [--plaintext]

``--plaintext`` runs on an unencrypted copy: the difference of the two runs is SQLCipher's cost.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clerk_app.clock import SYSTEM  # noqa: E402
from benchmarks._data import (DATA_VERSION, _MARKER, common_args, copy_data, ensure_data, folder_for,  # noqa: E402
                              open_variant, plaintext_arg)

PREFIX = "BJ99"
RAW_LOOKUP = ("SELECT c.id, c.status, m.id, m.name, m.id_number, m.status FROM cards c"
              " JOIN members m ON m.id = c.member_id WHERE c.card_no = ?")
RAW_INSERT = ("INSERT INTO attendance (id, event_id, member_id, is_walk_in, method, sub_venue, signed_in_at)"
              " VALUES (?, ?, ?, 0, 'scan', NULL, ?)")


def source_folder(members: int, seed: int, root: Path) -> Path:
    """The cached data folder: this schema's if built, else a complete build of an older
    schema (migrated on the private copy), else build it now."""
    exact = folder_for(members, seed, root)
    if (exact / _MARKER).exists():
        return exact
    older = sorted((p for p in Path(root).glob(f"members-{members}-seed-{seed}-v{DATA_VERSION}-schema-*")
                    if (p / _MARKER).exists()), key=lambda p: (p / _MARKER).stat().st_mtime)
    if older:
        return older[-1]
    return ensure_data(members, seed, root)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def issue_cards(ctx, count: int) -> list[str]:
    """Issue ``count`` cards to the first members in the union, in one transaction."""
    from clerk_app.services import cards
    from clerk_app.storage.db import transaction

    cards.set_card_prefix(ctx, PREFIX)
    ids = [r[0] for r in ctx.db.conn.execute(
        "SELECT id FROM members WHERE status IN ('active', 'retained') AND id NOT IN (SELECT member_id FROM cards)"
        " ORDER BY rowid LIMIT ?", [count])]
    with transaction(ctx.db):
        return [cards.issue_card(ctx, member_id, event_id=None).card_no for member_id in ids]


def make_event(ctx, title: str):
    from clerk_app.domain.event import EventInput
    from clerk_app.services import events

    return events.create_event(ctx, EventInput(title=title, event_date=ctx.today(), venue="基准测试会场",
                                               union_id=ctx.home_union_id, sub_venues=["分会场一"]))


def raw_sign_in(conn, event_id: str, card_no: str) -> None:
    row = conn.execute(RAW_LOOKUP, [card_no]).fetchone()
    now = SYSTEM.stamp()  # the app stamps through its clock too
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(RAW_INSERT, [str(uuid.uuid4()), event_id, row[2], now])
    conn.execute("COMMIT")


def run(ctx, numbers: list[str], app_event: str, raw_event: str, warm_event: str) -> dict[str, list[float]]:
    from clerk_app.services import signin

    conn = ctx.db.conn
    for card_no in numbers[: max(1, len(numbers) // 10)]:  # warm-up: caches, statements, page cache
        signin.sign_in_scan(ctx, warm_event, card_no)
        conn.execute(RAW_LOOKUP, [card_no]).fetchone()
    app, raw, repeat = [], [], []
    for n, card_no in enumerate(numbers):
        for who in ((0, 1) if n % 2 == 0 else (1, 0)):  # alternate who goes first
            started = time.perf_counter()
            if who == 0:
                result = signin.sign_in_scan(ctx, app_event, card_no)
                app.append((time.perf_counter() - started) * 1000)
                if result.outcome != signin.SIGNED_IN:
                    raise RuntimeError(f"scan {card_no}: {result.outcome}")
            else:
                raw_sign_in(conn, raw_event, card_no)
                raw.append((time.perf_counter() - started) * 1000)
    for card_no in numbers[: max(1, len(numbers) // 5)]:  # the same people again: "already signed in"
        started = time.perf_counter()
        result = signin.sign_in_scan(ctx, app_event, card_no)
        repeat.append((time.perf_counter() - started) * 1000)
        if result.outcome != signin.ALREADY:
            raise RuntimeError(f"repeat {card_no}: {result.outcome}")
    return {"app": app, "raw": raw, "repeat": repeat}


def report(times: dict[str, list[float]], members: int, cards: int) -> None:
    print(f"\nsign-in from scan to confirmed record on {members:,} members and {cards:,} cards (ms)")
    head = f"{'path':<44}{'n':>6}{'p50':>9}{'p95':>9}{'mean':>9}"
    print(head)
    print("-" * len(head))
    labels = {"app": "app: sign_in_scan (new sign-in)",
              "raw": "raw: indexed SELECT + bare INSERT + COMMIT",
              "repeat": "app: sign_in_scan (repeat -> already)"}
    for key, label in labels.items():
        v = times[key]
        print(f"{label:<44}{len(v):>6}{pct(v, 50):>9.3f}{pct(v, 95):>9.3f}{statistics.mean(v):>9.3f}")
    p50 = pct(times["app"], 50) / max(pct(times["raw"], 50), 1e-6)
    p95 = pct(times["app"], 95) / max(pct(times["raw"], 95), 1e-6)
    print()
    print(f"ratio sign-in: app/raw p50 = {p50:.2f}x")
    print(f"ratio sign-in: app/raw p95 = {p95:.2f}x ({'ok' if p95 <= 2 else 'OVER 2x'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--cards", type=int, default=5000, metavar="M", help="cards issued on the copy (default 5000)")
    parser.add_argument("--scans", type=int, default=1000, metavar="S", help="distinct cards scanned (default 1000)")
    plaintext_arg(parser)
    args = parser.parse_args(argv)

    source = source_folder(args.members, args.seed, args.cache_dir)
    work = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    try:
        print(f"data: {source} -> private copy {work}")
        copy_data(source, work)
        started = time.perf_counter()
        print("database: " + ("PLAINTEXT copy (baseline)" if args.plaintext else "encrypted (SQLCipher 4)"))
        ws = open_variant(work, args.plaintext)  # migrates the copy if the cache is of an older schema
        try:
            ctx = ws.context()
            print(f"opened (and migrated if needed) in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            numbers = issue_cards(ctx, args.cards)
            print(f"issued {len(numbers):,} cards in {time.perf_counter() - started:.1f} s")
            scans = random.Random(args.seed).sample(numbers, min(args.scans, len(numbers)))
            app_event, raw_event, warm_event = (make_event(ctx, t).id for t in ("基准-应用", "基准-裸SQL", "基准-预热"))
            times = run(ctx, scans, app_event, raw_event, warm_event)
            counted = {e: ctx.db.conn.execute("SELECT count(*) FROM attendance WHERE event_id = ?", [e]).fetchone()[0]
                       for e in (app_event, raw_event)}
            if counted != {app_event: len(scans), raw_event: len(scans)}:
                raise RuntimeError(f"attendance rows {counted}, expected {len(scans)} each")
            report(times, args.members, len(numbers))
        finally:
            ws.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
