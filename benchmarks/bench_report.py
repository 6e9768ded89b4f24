"""Supervisor reports: the monthly 会员报表 + 工作情况报表 (``services.reports``: every figure for the
month, the month before and the same month a year before, with the 12-month chart) beside the
same counts by plain SQL written here, in the same run, interleaved rounds (the order swapped
every round), min / median / max of each and the ratio of the medians. Aim: within 2x, under 1 s.

Data: the cached N-member folder of ``benchmarks/_data.py`` (an older-schema build is reused: the
private copy is migrated when opened), copied, then on the copy: status changes for about 8% of
the members (withdrawn, re-joined, transferred, retained), E events over the last two years with
sign-ins (members and walk-ins) and tallies, cards issued, lost and reissued. The cache itself is
never written.

    python -m benchmarks.bench_report [--members 200000] [--events 2000] [--rounds 7] [--data-folder DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from benchmarks._data import common_args, copy_data, open_data  # noqa: E402
from benchmarks.bench_signin import source_folder  # noqa: E402

TYPES = ("职工沟通会", "企业沟通会", "招聘会", "送清凉", "心理减压", "义诊", "法律咨询")
TALLIES = (("consultation", "入会咨询"), ("consultation", "法律咨询"), ("material", "入会宣传页"),
           ("material", "反诈宣传页"), ("service", "义诊"), ("service", "理发"))


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def add_activity(db, today: dt.date, events: int, seed: int = 7) -> dict[str, int]:
    """Status changes, events with sign-ins and tallies, cards: written straight into the copy."""
    rng = random.Random(seed)
    conn = db.conn
    stamp = f"{today.isoformat()}T12:00:00+08:00"
    members = conn.execute("SELECT id, join_date, union_id FROM members WHERE join_date IS NOT NULL").fetchall()
    history, cards, card_events = [], [], []
    for n, (mid, join, _union) in enumerate(members):
        joined = dt.date.fromisoformat(join)
        if n % 12 == 0:
            left = _day(rng, joined, today)
            history.append((str(uuid.uuid4()), mid, rng.choice(("withdrawn", "transferred_out")), left.isoformat()))
            if n % 36 == 0:
                history.append((str(uuid.uuid4()), mid, "active", _day(rng, left, today).isoformat()))
        elif n % 25 == 1:
            history.append((str(uuid.uuid4()), mid, "retained", _day(rng, joined, today).isoformat()))
        if n % 10 == 2:
            cid, issued = str(uuid.uuid4()), _day(rng, joined, today)
            cards.append((cid, f"BENCH{n:09d}", mid, "active", issued.isoformat(), stamp, stamp, stamp))
            card_events.append((str(uuid.uuid4()), cid, "issue", issued.isoformat(), None))
            if n % 70 == 2:
                card_events.append((str(uuid.uuid4()), cid, "lost", _day(rng, issued, today).isoformat(), None))
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO member_status_history (id, member_id, status, effective_date, reason, channel,"
                     " recorded_at) VALUES (?, ?, ?, ?, '', '', '" + stamp + "')", history)
    conn.executemany("INSERT INTO cards (id, card_no, member_id, status, issue_date, issued_at, created_at,"
                     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cards)
    conn.executemany("INSERT INTO card_events (id, card_id, event, event_date, reason, other_card_id, recorded_at)"
                     " VALUES (?, ?, ?, ?, '', ?, '" + stamp + "')", card_events)
    union = members[0][2]
    ids = [m[0] for m in members]
    ev_rows, att_rows, tally_rows = [], [], []
    for n in range(events):
        eid, day = str(uuid.uuid4()), today - dt.timedelta(days=rng.randint(0, 730))
        ev_rows.append((eid, rng.choice(TYPES), f"活动{n}", day.isoformat(), union, stamp, stamp))
        for mid in rng.sample(ids, 25):
            att_rows.append((str(uuid.uuid4()), eid, mid, 0, "scan", stamp, None))
        for w in range(5):
            att_rows.append((str(uuid.uuid4()), eid, None, 1, "walk_in", stamp, stamp if w == 0 else None))
        for kind, label in TALLIES:
            tally_rows.append((str(uuid.uuid4()), eid, kind, label, rng.randint(1, 40), stamp))
    conn.executemany("INSERT INTO events (id, type, title, event_date, start_time, end_time, venue, union_id,"
                     " created_at, updated_at) VALUES (?, ?, ?, ?, '09:00', '11:00', '职工之家', ?, ?, ?)", ev_rows)
    conn.executemany("INSERT INTO attendance (id, event_id, member_id, is_walk_in, method, signed_in_at, joined_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", att_rows)
    conn.executemany("INSERT INTO event_tallies (id, event_id, kind, label, delta, recorded_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", tally_rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return {"status changes": len(history), "cards": len(cards), "events": len(ev_rows),
            "sign-ins": len(att_rows), "tallies": len(tally_rows)}


# ---------------------------------------------------------------- the same counts by plain SQL

RAW_STOCK = """SELECT count(*) FROM members m WHERE m.merged_into IS NULL AND (
    SELECT h.status FROM member_status_history h WHERE h.member_id = m.id AND h.effective_date <= ?
    ORDER BY h.effective_date DESC, h.recorded_at DESC, h.rowid DESC LIMIT 1) IN ('active', 'retained')"""
RAW_INTERVALS = """CREATE TEMP TABLE iv AS SELECT h.member_id, h.rowid AS rid, h.recorded_at, h.status,
    h.effective_date AS f, coalesce((SELECT min(x.effective_date) FROM member_status_history x
        WHERE x.member_id = h.member_id AND (x.effective_date, x.recorded_at, x.rowid)
            > (h.effective_date, h.recorded_at, h.rowid)), '9999-12-31') AS t,
    coalesce(nullif(h.channel, ''), m.join_channel) AS channel, m.gender, m.birth_date, m.occupation,
    m.platform, m.join_channel, m.union_id
    FROM member_status_history h JOIN members m ON m.id = h.member_id WHERE m.merged_into IS NULL"""
RAW_PREV = """(SELECT x.status FROM member_status_history x WHERE x.member_id = iv.member_id
    AND (x.effective_date, x.recorded_at, x.rowid) < (iv.f, iv.recorded_at, iv.rid)
    ORDER BY x.effective_date DESC, x.recorded_at DESC, x.rowid DESC LIMIT 1)"""
RAW_AT = "FROM iv WHERE f <= :d AND :d < t AND status IN ('active', 'retained')"
RAW_AGE = ("CAST(substr(:d, 1, 4) AS INT) - CAST(substr(birth_date, 1, 4) AS INT)"
           " - (substr(:d, 6, 5) < substr(birth_date, 6, 5))")


def raw_counts(db, periods: list[tuple[str, str]], months: list[str]) -> dict:
    """What the two reports count, by plain SQL: one temporary table of status intervals (each
    line's next line found through the member's index: lead() over a window per member is ten
    times slower), then one GROUP BY per figure and period."""
    c = db.conn
    c.execute("DROP TABLE IF EXISTS temp.iv")
    c.execute(RAW_INTERVALS)
    out: dict = {}
    for k, (s, e) in enumerate(periods):
        eve = (dt.date.fromisoformat(s) - dt.timedelta(days=1)).isoformat()
        out[k, "start"] = c.execute(f"SELECT count(*) {RAW_AT}", {"d": eve}).fetchone()[0]
        out[k, "end"] = c.execute(f"SELECT count(*) {RAW_AT}", {"d": e}).fetchone()[0]
        out[k, "retained"] = c.execute(f"SELECT count(*) {RAW_AT} AND status = 'retained'", {"d": e}).fetchone()[0]
        for col in ("gender", "occupation", "platform", "join_channel", "union_id", RAW_AGE):
            out[k, col] = c.execute(f"SELECT {col}, count(*) {RAW_AT} GROUP BY 1", {"d": e}).fetchall()
        out[k, "changes"] = c.execute(
            f"SELECT status, {RAW_PREV}, channel, occupation, count(*) FROM iv WHERE f BETWEEN ? AND ?"
            " GROUP BY 1, 2, 3, 4", [s, e]).fetchall()
        out[k, "cards"] = c.execute("SELECT event, other_card_id IS NULL, count(*) FROM card_events"
                                    " WHERE event_date BETWEEN ? AND ? GROUP BY 1, 2", [s, e]).fetchall()
        out[k, "active cards"] = c.execute(
            "SELECT count(*) FROM cards c WHERE c.issue_date <= ? AND NOT EXISTS (SELECT 1 FROM card_events x"
            " WHERE x.card_id = c.id AND x.event != 'issue' AND x.event_date <= ?)", [e, e]).fetchone()[0]
        out[k, "events"] = c.execute(
            "SELECT e.type, count(DISTINCT e.id), count(a.id), sum(a.is_walk_in), sum(a.joined_at IS NOT NULL)"
            " FROM events e LEFT JOIN attendance a ON a.event_id = e.id AND a.duplicate_of IS NULL"
            " WHERE e.event_date BETWEEN ? AND ? GROUP BY e.type", [s, e]).fetchall()
        out[k, "tallies"] = c.execute(
            "SELECT t.kind, t.label, sum(t.delta) FROM events e JOIN event_tallies t ON t.event_id = e.id"
            " WHERE e.event_date BETWEEN ? AND ? GROUP BY 1, 2", [s, e]).fetchall()
        out[k, "hardship"] = c.execute(
            "SELECT kind, fund, sum(amount_fen) FROM hardship_ledger WHERE paid_date BETWEEN ? AND ?"
            " GROUP BY 1, 2", [s, e]).fetchall()
    out["months"] = [c.execute(f"SELECT count(*) {RAW_AT}", {"d": d}).fetchone()[0] for d in months]
    c.execute("DROP TABLE temp.iv")
    return out


def _stats(values: list[float]) -> str:
    return (f"min {min(values) * 1000:7.1f} ms   median {statistics.median(values) * 1000:7.1f} ms"
            f"   max {max(values) * 1000:7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_args(parser)
    parser.add_argument("--events", type=int, default=2000, help="events added to the copy (default 2,000)")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds of each (default 7)")
    parser.add_argument("--data-folder", type=Path, metavar="DIR",
                        help="a built data folder to copy (default: the cached one for --members, built if missing)")
    args = parser.parse_args(argv)

    from clerk_app.domain import report_figures as rf
    from clerk_app.domain.reports import Period
    from clerk_app.services import reports

    source = args.data_folder or source_folder(args.members, args.seed, args.cache_dir)
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        copy_data(source, tmp / "data")
        ws = open_data(tmp / "data")
        try:
            ctx = ws.context()
            today = ctx.today()
            added = add_activity(ctx.db, today, args.events)
            last = today.replace(day=1) - dt.timedelta(days=1)
            period = Period.month(last.year, last.month)
            periods = [(p.start.isoformat(), p.end.isoformat())
                       for p in (period, period.previous(), period.year_before())]
            months = [d.isoformat() for _, d in rf.month_ends(period.end)]
            print(f"reports of {period.label} over {args.members:,} members; added "
                  + ", ".join(f"{v:,} {k}" for k, v in added.items()))

            def app():
                return reports.members_report(ctx, period), reports.work_report(ctx, period)

            def raw():
                return raw_counts(ctx.db, periods, months)

            members_r, _work = app()  # warm-up (and the figures to compare)
            base = raw()
            shown = members_r.tables[0].rows
            same = (shown[0][1], shown[9][1]) == (base[0, "start"], base[0, "end"]) \
                and list(members_r.charts[0].series[0].values) == base["months"]
            print(f"check: start {shown[0][1]:,} / end {shown[9][1]:,} members, 12 month ends "
                  + ("equal to plain SQL" if same else f"DIFFER from plain SQL {base[0, 'start']}/{base[0, 'end']}"))
            timings: dict[str, list[float]] = {"app": [], "raw": []}
            for r in range(args.rounds):
                for name in (("app", "raw") if r % 2 == 0 else ("raw", "app")):
                    started = time.perf_counter()
                    app() if name == "app" else raw()
                    timings[name].append(time.perf_counter() - started)
            print(f"app (members + work report, 3 periods + 12 months): {_stats(timings['app'])}")
            print(f"raw (plain SQL, same counts):                       {_stats(timings['raw'])}")
            ratio = statistics.median(timings["app"]) / statistics.median(timings["raw"])
            print(f"ratio report: app/raw median = {ratio:.2f}x")
        finally:
            ws.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
