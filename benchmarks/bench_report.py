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
import json
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
from clerk_app.domain import report_figures as rf  # noqa: E402

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

# The lines that put a member in the union, each with the day the member's next line begins
# (found through the member's history index, which holds the lines in order: lead() over a
# window would sort them again for the rowid that breaks ties), of members not merged away.
RAW_IN = """nx AS MATERIALIZED (SELECT sh.member_id, sh.status, sh.effective_date AS f,
        coalesce((SELECT min(x.effective_date) FROM member_status_history x WHERE x.member_id = sh.member_id
            AND (x.effective_date, x.recorded_at, x.rowid) > (sh.effective_date, sh.recorded_at, sh.rowid)),
            '9999-12-31') AS t
    FROM member_status_history sh INDEXED BY idx_status_history_order WHERE sh.status IN ('active', 'retained')
      AND sh.member_id NOT IN (SELECT id FROM members WHERE merged_into IS NOT NULL))"""
# The lines of the periods through the date index, with the status before each.
RAW_CHANGES = """SELECT 'change', p.k, sh.status, (SELECT x.status FROM member_status_history x
        WHERE x.member_id = sh.member_id
          AND (x.effective_date, x.recorded_at, x.rowid) < (sh.effective_date, sh.recorded_at, sh.rowid)
        ORDER BY x.effective_date DESC, x.recorded_at DESC, x.rowid DESC LIMIT 1),
        coalesce(nullif(sh.channel, ''), m.join_channel), m.occupation, count(*)
    FROM p CROSS JOIN member_status_history sh ON sh.effective_date BETWEEN p.s AND p.e
    JOIN members m ON m.id = sh.member_id WHERE m.merged_into IS NULL GROUP BY 2, 3, 4, 5, 6"""


def _raw_band(day: str) -> str:
    """The age band on ``day`` by comparing the birth date with the day so many years before
    (born on or before it: that old), text against text, no arithmetic."""
    year, rest = int(day[:4]), day[4:10]
    whens = " ".join(f"WHEN m.birth_date > '{year - hi - 1:04d}{rest}' THEN '{label}'"
                     for lo, hi, label in rf.AGE_BANDS if hi is not None)
    return (f"(CASE WHEN m.birth_date IS NULL OR length(m.birth_date) < 10 THEN '{rf.UNKNOWN_AGE}'"
            f" WHEN m.birth_date > '{day}' THEN '{rf.UNKNOWN_AGE}' {whens} ELSE '{rf.AGE_BANDS[-1][2]}' END)")


def _raw_kind(status: str, prev: str | None, channel: str) -> str | None:
    """What a line counts as (the rules of domain.report_figures, applied to the grouped rows)."""
    if status == "active" and prev not in rf.IN_UNION:
        return rf.TRANSFER_IN if channel == rf.TRANSFER_CHANNEL else rf.JOINED if prev is None else rf.REJOINED
    if status == rf.RETAINED:
        return rf.RETAINED
    return status if status in rf.LEAVING else None


def raw_counts(db, periods: list[tuple[str, str]], count_days: list[str]) -> dict:
    """What the two reports count, by plain SQL, the members' figures in one statement: the lines
    that put a member in the union, each once with its next line's day (through the member's
    history index), then in one pass over them the count and the 保留会籍 on every count day
    (conditional sums); the breakdown of the three period ends from those lines joined to the
    member's columns, a line once with a flag and an age band per end day (age bands by text
    comparison with the day so many years before), grouped once into a cube of the small
    dimensions (gender, occupation, platform, channel, bands) and once by union; and the
    periods' lines through the date index with the status before each, grouped by status,
    status before, channel and occupation (the kinds of change and the recruits are read off
    these few groups). The work report's counts: one GROUP BY each over the three periods."""
    c = db.conn
    ends = [e for _, e in periods]
    pv = ", ".join(f"({k}, '{s}', '{e}')" for k, (s, e) in enumerate(periods))
    stock = ", ".join(f"sum(f <= '{d}' AND '{d}' < t), sum(status = 'retained' AND f <= '{d}' AND '{d}' < t)"
                      for d in count_days)
    bands = ", ".join(f"{_raw_band(d)} AS b{k}" for k, d in enumerate(ends))
    flags = ", ".join(f"(f <= '{d}' AND '{d}' < t) AS n{k}" for k, d in enumerate(ends))
    sums = ", ".join(f"sum(n{k})" for k in range(len(ends)))
    n = len(ends)
    by_dim = [f"SELECT NULL, '{name}', {col}, {sums} FROM cube GROUP BY {col}"
              for name, col in (("gender", "gender"), ("occupation", "occupation"), ("platform", "platform"),
                                ("channel", "join_channel"))]
    named = ", ".join(f"sum(n{k}) AS s{k}" for k in range(n))
    by_dim.append(f"SELECT NULL, 'union', coalesce(u.name, ''), {', '.join(f's{k}' for k in range(n))}"
                  f" FROM (SELECT union_id, {named} FROM present GROUP BY union_id) g"
                  " LEFT JOIN unions u ON u.id = g.union_id")
    by_dim += [f"SELECT {k}, 'age', b{k}, sum(n{k}), 0, 0 FROM cube GROUP BY b{k}" for k in range(n)]
    cols = "gender, occupation, platform, join_channel, " + ", ".join(f"b{k}" for k in range(n))
    head = f"WITH p(k, s, e) AS (VALUES {pv}), {RAW_IN}, " + f"""present AS MATERIALIZED (
        SELECT m.gender, m.occupation, m.platform, m.join_channel, m.union_id, {bands}, {flags}
        FROM nx JOIN members m ON m.id = nx.member_id
        WHERE {" OR ".join(f"(f <= '{d}' AND '{d}' < t)" for d in ends)}),
        cube AS MATERIALIZED (SELECT {cols}, {named.replace(" AS s", " AS n")} FROM present
            GROUP BY {cols})"""
    stock_json = f"json_array({stock})"
    sql = head + f"""
        SELECT 'stock', 0, {stock_json}, NULL, NULL, NULL, 0 FROM nx
        UNION ALL SELECT 'detail', * FROM ({' UNION ALL '.join(by_dim)})
        UNION ALL {RAW_CHANGES}"""
    out: dict = {"detail": {}, "changes": {}, "recruits": {}}
    for section, k, a, b, *rest in c.execute(sql):
        if section == "stock":
            row = json.loads(a)
            out["stock"] = {i: (row[2 * i], row[2 * i + 1]) for i in range(len(count_days))}
        elif section == "detail":  # a dimension's counts of the three period ends, or of one (age)
            for day, count in ((k, rest[0]),) if k is not None else enumerate(rest):
                counts = out["detail"].setdefault((day, a), {})
                counts[b or ""] = counts.get(b or "", 0) + count
        elif kind := _raw_kind(a, b, rest[0]):
            ch, occupation, n = rest
            out["changes"].setdefault(k, {})[kind] = out["changes"].get(k, {}).get(kind, 0) + n
            if kind == rf.JOINED:
                for dim, key in (("channel", ch), ("occupation", occupation)):
                    counts = out["recruits"].setdefault((k, dim), {})
                    counts[key or ""] = counts.get(key or "", 0) + n
    for name, sql in (
            ("cards", "SELECT p.k, event, other_card_id IS NULL, count(*) FROM p JOIN card_events"
                      " ON event_date BETWEEN p.s AND p.e GROUP BY 1, 2, 3"),
            ("active cards", "SELECT p.k, count(*) FROM p JOIN cards c ON c.issue_date <= p.e WHERE NOT EXISTS"
                             " (SELECT 1 FROM card_events x WHERE x.card_id = c.id AND x.event != 'issue'"
                             " AND x.event_date <= p.e) GROUP BY 1"),
            ("events", "SELECT p.k, e.type, count(DISTINCT e.id), count(a.id), sum(a.is_walk_in),"
                       " sum(a.joined_at IS NOT NULL) FROM p JOIN events e ON e.event_date BETWEEN p.s AND p.e"
                       " LEFT JOIN attendance a ON a.event_id = e.id AND a.duplicate_of IS NULL GROUP BY 1, 2"),
            ("tallies", "SELECT p.k, t.kind, t.label, sum(t.delta) FROM p JOIN events e ON e.event_date"
                        " BETWEEN p.s AND p.e JOIN event_tallies t ON t.event_id = e.id GROUP BY 1, 2, 3"),
            ("hardship", "SELECT p.k, kind, fund, sum(amount_fen) FROM p JOIN hardship_ledger"
                         " ON paid_date BETWEEN p.s AND p.e GROUP BY 1, 2, 3")):
        out[name] = c.execute(f"WITH p(k, s, e) AS (VALUES {pv}) {sql}").fetchall()
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

    from clerk_app.domain.reports import Period
    from clerk_app.services import reports
    from clerk_app.services.reports_members import _count_days
    from clerk_app.storage import report_queries as rq

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
            count_days, _months = _count_days(period)
            print(f"reports of {period.label} over {args.members:,} members; added "
                  + ", ".join(f"{v:,} {k}" for k, v in added.items()))

            def app():
                return reports.members_report(ctx, period), reports.work_report(ctx, period)

            def raw():
                return raw_counts(ctx.db, periods, count_days)

            members_r, _work = app()  # warm-up (and the figures to compare)
            base = raw()
            # the headline figures as the report shows them, and every count of the storage layer beneath
            shown = members_r.tables[0].rows
            app_found = rq.member_figures(ctx.db, detail_days=[e for _, e in periods], count_days=count_days,
                                          periods=periods)
            app_detail = {(k, dim): {v: n for v, n in values.items() if n}
                          for k, dims in app_found["detail"].items() for dim, values in dims.items()}
            raw_detail = {key: {v: n for v, n in values.items() if n} for key, values in base["detail"].items()}
            app_changes = {k: {kind: n for kind, n in v.items() if n} for k, v in app_found["changes"].items()}
            checks = {
                "start/end": (shown[0][1], shown[9][1]) == (base["stock"][0][0], base["stock"][1][0]),
                "12 month ends": list(members_r.charts[0].series[0].values)
                == [base["stock"][i][0] for i in range(len(count_days) - 12, len(count_days))],
                "every count day and 保留会籍": app_found["stock"] == base["stock"],
                "6 breakdowns x 3 period ends": app_detail == raw_detail,
                "changes by kind": {k: v for k, v in app_changes.items() if v} == base["changes"],
            }
            bad = [name for name, ok in checks.items() if not ok]
            print(f"check: start {shown[0][1]:,} / end {shown[9][1]:,} members, " + ", ".join(checks)
                  + (" equal to plain SQL" if not bad else f" -- DIFFER from plain SQL: {', '.join(bad)}"))
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
            per_round = [a / r for a, r in zip(timings["app"], timings["raw"])]
            print(f"ratio app/raw per round: min {min(per_round):.2f}x   median {statistics.median(per_round):.2f}x"
                  f"   max {max(per_round):.2f}x")
        finally:
            ws.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
