"""Sign-in latency: a card scan to a confirmed attendance record, through
``services.signin.sign_in_scan``, beside the floor of the same work, in the same run.

* floor = the indexed look-up (``SELECT`` by card_no joined to the member), then in one
  ``BEGIN IMMEDIATE`` ... ``COMMIT``: the same attendance row, its change record (HLC stamp,
  sequence number, transaction id, the same JSON), the clock saved in ``meta``, the audit
  entry with its hash chain and the anchor — the clock, the chain and the sequence carried in
  memory. Nothing checked. It runs on its own copy of the data (so the two never see each
  other's writes), and its audit chain is verified afterwards by the app's own check.
* bare = the look-up plus a bare ``INSERT`` of the attendance row and ``COMMIT`` (no change
  record, no audit: what the benchmark compared with before; shown for reference).
* app adds: parsing and checking the card number, the card's status and the holder's
  membership, the once-per-event check, the count, the result for the desk.

Each round scans the same cards at a fresh event on each side, the three sides in turn
(who goes first rotates); min / median / max over the rounds of each side's p50 and p95
are printed. Same synchronous=FULL, same encryption.

Data: the cached N-member folder of ``benchmarks/_data.py`` (an older-schema build is
reused too: the private copies are migrated when opened), copied twice, then M cards issued
on each copy (the same numbers). The cache itself is never written.

    python -m benchmarks.bench_signin [--members 200000] [--cards 5000] [--scans 1000] [--rounds 3] [--plaintext]

``--plaintext`` runs on unencrypted copies: the difference of the two runs is SQLCipher's cost.
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


class Floor:
    """The same rows as a scan that signs someone in, written with nothing else: the clock,
    the change sequence and the audit chain's tail read once and carried in memory."""

    def __init__(self, ctx):
        from clerk_app.storage.audit import ANCHOR_KEY
        from clerk_app.storage.changes import HLC_KEY, last_seq
        from clerk_app.storage.hlc import HybridClock

        self.conn, self.clock, self.site, self.clerk = ctx.db.conn, ctx.clock, ctx.site_id, ctx.clerk.id
        meta = dict(self.conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", [HLC_KEY, ANCHOR_KEY]))
        self.hlc = HybridClock(meta.get(HLC_KEY), self.clock.wall_ms)
        self.seq = last_seq(ctx.db)
        count, _, self.prev = meta.get(ANCHOR_KEY, "0 ").partition(" ")
        self.count = int(count)

    def sign_in(self, event_id: str, card_no: str) -> None:
        import hashlib
        import json

        conn = self.conn
        row = conn.execute(RAW_LOOKUP, [card_no]).fetchone()
        row_id, now = str(uuid.uuid4()), self.clock.stamp()
        values = {"event_id": event_id, "member_id": row[2], "is_walk_in": 0, "method": "scan", "sub_venue": None,
                  "signed_in_at": now}
        stamp = self.hlc.now()
        self.seq += 1
        detail = json.dumps({"event_id": event_id, "method": "scan", "member_id": row[2]}, ensure_ascii=False,
                            sort_keys=True)
        at = self.clock.stamp()
        digest = hashlib.sha256("\x1f".join(["v2", self.prev, self.site, at, self.clerk, "create", "attendance",
                                             row_id, detail]).encode("utf-8")).hexdigest()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO attendance (id, event_id, member_id, is_walk_in, method, sub_venue, signed_in_at)"
                     " VALUES (?, ?, ?, 0, 'scan', NULL, ?)", [row_id, event_id, row[2], now])
        conn.execute("INSERT INTO change_log (seq, hlc, site_id, tbl, row_id, op, data, origin_epoch, origin_seq,"
                     " txn_id, base) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     [self.seq, stamp, self.site, "attendance", row_id, "create",
                      json.dumps(values, ensure_ascii=False, sort_keys=True), 0, self.seq, str(uuid.uuid4()), "{}"])
        conn.execute("UPDATE meta SET value = ? WHERE key = 'hlc_last'", [stamp])
        conn.execute("INSERT INTO audit_log (at, site_id, clerk_id, action, entity, entity_id, detail, prev_hash,"
                     " hash) VALUES (?,?,?,?,?,?,?,?,?)",
                     [at, self.site, self.clerk, "create", "attendance", row_id, detail, self.prev, digest])
        self.count += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [f"{self.count} {digest}"])
        conn.execute("COMMIT")
        self.prev = digest


def one_round(ctx, floor_ctx, numbers: list[str], events: dict[str, str], rotate: int) -> dict[str, list[float]]:
    from clerk_app.services import signin

    floor = Floor(floor_ctx)
    conn = floor_ctx.db.conn
    times: dict[str, list[float]] = {"app": [], "floor": [], "bare": [], "repeat": []}
    sides = ("app", "floor", "bare")
    for n, card_no in enumerate(numbers):
        k = (n + rotate) % 3
        for side in sides[k:] + sides[:k]:  # who goes first rotates
            started = time.perf_counter()
            if side == "app":
                result = signin.sign_in_scan(ctx, events["app"], card_no)
                if result.outcome != signin.SIGNED_IN:
                    raise RuntimeError(f"scan {card_no}: {result.outcome}")
            elif side == "floor":
                floor.sign_in(events["floor"], card_no)
            else:
                raw_sign_in(conn, events["bare"], card_no)
            times[side].append((time.perf_counter() - started) * 1000)
    for card_no in numbers[: max(1, len(numbers) // 5)]:  # the same people again: "already signed in"
        started = time.perf_counter()
        result = signin.sign_in_scan(ctx, events["app"], card_no)
        times["repeat"].append((time.perf_counter() - started) * 1000)
        if result.outcome != signin.ALREADY:
            raise RuntimeError(f"repeat {card_no}: {result.outcome}")
    return times


LABELS = {"app": "app: sign_in_scan (new sign-in)",
          "floor": "floor: same rows, state in memory",
          "bare": "bare: SELECT + INSERT + COMMIT",
          "repeat": "app: sign_in_scan (repeat -> already)"}


def report(rounds: list[dict[str, list[float]]], members: int, cards: int) -> None:
    print(f"\nsign-in from scan to confirmed record on {members:,} members and {cards:,} cards (ms),"
          f" {len(rounds)} rounds of {len(rounds[0]['app'])} scans; min / median / max over the rounds")
    head = f"{'path':<40}{'n':>6}{'p50 min':>9}{'med':>8}{'max':>8}{'p95 min':>9}{'med':>8}{'max':>8}"
    print(head)
    print("-" * len(head))
    for key, label in LABELS.items():
        p50 = [pct(r[key], 50) for r in rounds]
        p95 = [pct(r[key], 95) for r in rounds]
        print(f"{label:<40}{len(rounds[0][key]):>6}{min(p50):>9.3f}{statistics.median(p50):>8.3f}{max(p50):>8.3f}"
              f"{min(p95):>9.3f}{statistics.median(p95):>8.3f}{max(p95):>8.3f}")
    print()
    for base in ("floor", "bare"):
        for p in (50, 95):
            per_round = [pct(r["app"], p) / max(pct(r[base], p), 1e-6) for r in rounds]
            med = statistics.median(pct(r["app"], p) for r in rounds) / max(
                statistics.median(pct(r[base], p) for r in rounds), 1e-6)
            aim = " (aim: within 1.5x)" if (base, p) == ("floor", 95) else ""
            print(f"ratio sign-in: app/{base} p{p} = {med:.2f}x (per round {min(per_round):.2f}x"
                  f" .. {max(per_round):.2f}x){aim}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_args(parser)
    parser.add_argument("--cards", type=int, default=5000, metavar="M", help="cards issued on the copy (default 5000)")
    parser.add_argument("--scans", type=int, default=1000, metavar="S", help="distinct cards scanned (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="rounds, each at fresh events (default 3)")
    plaintext_arg(parser)
    args = parser.parse_args(argv)

    from clerk_app.storage.audit import check_chain

    source = source_folder(args.members, args.seed, args.cache_dir)
    work = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    try:
        print(f"data: {source} -> private copy {work}")
        copy_data(source, work / "app")
        copy_data(source, work / "floor")
        started = time.perf_counter()
        print("database: " + ("PLAINTEXT copies (baseline)" if args.plaintext else "encrypted (SQLCipher 4)"))
        ws = open_variant(work / "app", args.plaintext)  # migrates the copy if the cache is of an older schema
        floor_ws = open_variant(work / "floor", args.plaintext)
        try:
            ctx, floor_ctx = ws.context(), floor_ws.context()
            print(f"opened (and migrated if needed) in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            numbers = issue_cards(ctx, args.cards)
            if issue_cards(floor_ctx, args.cards) != numbers:
                raise RuntimeError("the two copies issued different card numbers")
            print(f"issued {len(numbers):,} cards in {time.perf_counter() - started:.1f} s (on each copy)")
            scans = random.Random(args.seed).sample(numbers, min(args.scans, len(numbers)))
            warm = {"app": make_event(ctx, "基准-预热").id, "floor": make_event(floor_ctx, "基准-预热").id,
                    "bare": make_event(floor_ctx, "基准-预热-裸").id}
            one_round(ctx, floor_ctx, scans[: max(1, len(scans) // 10)], warm, 0)  # caches, statements, pages
            rounds = []
            for n in range(args.rounds):
                events = {"app": make_event(ctx, f"基准-应用-{n}").id, "floor": make_event(floor_ctx, f"基准-底线-{n}").id,
                          "bare": make_event(floor_ctx, f"基准-裸-{n}").id}
                rounds.append(one_round(ctx, floor_ctx, scans, events, n))
                for side, c in (("app", ctx), ("floor", floor_ctx), ("bare", floor_ctx)):
                    got = c.db.conn.execute("SELECT count(*) FROM attendance WHERE event_id = ?",
                                            [events[side]]).fetchone()[0]
                    if got != len(scans):
                        raise RuntimeError(f"{side}: {got} attendance rows, expected {len(scans)}")
            for side, c in (("app", ctx), ("floor", floor_ctx)):
                check = check_chain(c.db)
                if not check.ok:
                    raise RuntimeError(f"{side}: audit chain: {check.message}")
            report(rounds, args.members, len(numbers))
        finally:
            ws.close()
            floor_ws.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
