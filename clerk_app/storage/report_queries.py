"""Counting queries of the supervisor reports (会员报表, 工作情况报表): every figure is a GROUP BY
over the whole period list at once, never a look-up per member. ``services.reports`` turns the
counts into tables; what a history line counts as is ``domain.report_figures``.

Common rules: a member merged into another record at the district (``merged_into``) is not
counted (its history was moved to the kept record); erased or deleted rows are gone from the
tables, and an erased person's sign-ins stay as anonymous rows, so events keep their figures.
``township``: a union id; the figures are then that union's and every union's below it.
Dates are ISO text; a period is ``(start, end)`` with both days included."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from sqlite_utils import Database

from ..domain import report_figures as rf

Period = tuple[str, str]
_SCOPE_CTE = "scope(id) AS (SELECT ? UNION SELECT u.id FROM unions u JOIN scope s ON u.parent_id = s.id)"
_ALWAYS = "9999-12-31"


def _quoted(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


_IN_UNION = _quoted(rf.IN_UNION)
_LEAVING = _quoted(rf.LEAVING)


def _with(township: str | None, *ctes: str) -> tuple[str, list[Any]]:
    """``WITH RECURSIVE`` over the scope (when a township is given) and ``ctes``."""
    parts = ([_SCOPE_CTE] if township else []) + list(ctes)
    return "WITH RECURSIVE " + ",\n".join(parts), ([township] if township else [])


def _in_scope(column: str, township: str | None) -> str:
    return f" AND {column} IN (SELECT id FROM scope)" if township else ""


def _values(name: str, rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """A ``name(k, ...)`` CTE of literal rows, k being the row's index."""
    width = len(rows[0])
    cols = ", ".join(["k"] + [f"c{i}" for i in range(width)])
    body = ", ".join("(" + ", ".join(["?"] * (width + 1)) + ")" for _ in rows)
    params: list[Any] = []
    for k, row in enumerate(rows):
        params += [k, *row]
    return f"{name}({cols}) AS (VALUES {body})", params


def _age(day: str, birth: str) -> str:
    return (f"(CASE WHEN length({birth}) >= 10 THEN CAST(substr({day}, 1, 4) AS INTEGER)"
            f" - CAST(substr({birth}, 1, 4) AS INTEGER) - (substr({day}, 6, 5) < substr({birth}, 6, 5)) END)")


def _band(age: str) -> str:
    whens = []
    for low, high, label in rf.AGE_BANDS:
        cond = f"{age} >= {int(low)}" + (f" AND {age} <= {int(high)}" if high is not None else "")
        whens.append(f"WHEN {cond} THEN '{label}'")
    return f"(CASE {' '.join(whens)} ELSE '{rf.UNKNOWN_AGE}' END)"


# A status-history line with the dates it holds for (f: its day, t: the next line's day, or
# for ever), of members not merged away, in the scope. The next line is found through the
# member's index (correlated): lead() over a window partitioned by member costs a partition
# each, ten times more at 200,000 members of one or two lines each.
_ORDER = "(x.effective_date, x.recorded_at, x.rowid) {op} (sh.effective_date, sh.recorded_at, sh.rowid)"
_HISTORY = """h AS MATERIALIZED (SELECT sh.member_id, sh.rowid AS rid, sh.recorded_at, sh.status,
        sh.effective_date AS f,
        coalesce((SELECT min(x.effective_date) FROM member_status_history x WHERE x.member_id = sh.member_id
                  AND """ + _ORDER.format(op=">") + """), '{always}') AS t,
        coalesce(nullif(sh.channel, ''), m.join_channel) AS channel,
        m.gender, m.birth_date, m.occupation, m.platform, m.join_channel, m.union_id
    FROM member_status_history sh JOIN members m ON m.id = sh.member_id
    WHERE m.merged_into IS NULL{scope})"""
# The status of the line before (None for a member's first line).
_PREV = ("(SELECT x.status FROM member_status_history x WHERE x.member_id = h.member_id AND "
         + _ORDER.replace("sh.effective_date, sh.recorded_at, sh.rowid", "h.f, h.recorded_at, h.rid").format(op="<")
         + " ORDER BY x.effective_date DESC, x.recorded_at DESC, x.rowid DESC LIMIT 1)")

# What a line counts as in a period (domain.report_figures).
_CHANGE = f"""(CASE
    WHEN h.status = 'active' AND (h.prev IS NULL OR h.prev NOT IN ({_IN_UNION})) THEN
        CASE WHEN h.channel = '{rf.TRANSFER_CHANNEL}' THEN '{rf.TRANSFER_IN}'
             WHEN h.prev IS NULL THEN '{rf.JOINED}' ELSE '{rf.REJOINED}' END
    WHEN h.status = 'retained' THEN '{rf.RETAINED}'
    WHEN h.status IN ({_LEAVING}) THEN h.status END)"""

DIMENSIONS = ("gender", "age", "occupation", "platform", "channel", "union")


def member_figures(db: Database, *, detail_days: Sequence[str], count_days: Sequence[str],
                   periods: Sequence[Period], township: str | None = None) -> dict[str, Any]:
    """Everything the members report counts, in one pass over the status history:

    * ``stock[i]``: (members in the union, of whom 保留会籍) on ``count_days[i]``;
    * ``detail[i][dimension][value]``: members in the union on ``detail_days[i]`` by
      gender, age band (age on that day), occupation, platform, join channel and union name;
    * ``changes[j][kind]``: the history lines of ``periods[j]`` by kind of change;
    * ``recruits[j]["channel" | "occupation"][value]``: the 新入会 of ``periods[j]``."""
    scope_sql, params = _with(township)
    counts_cte, counts_params = _values("c", [(d,) for d in count_days])
    periods_cte, periods_params = _values("p", list(periods))
    history = _HISTORY.format(always=_ALWAYS, scope=_in_scope("m.union_id", township))
    days = [_quoted([d]) for d in detail_days]
    bands = ", ".join(f"{_band(_age(d, 'h.birth_date'))} AS b{k}" for k, d in enumerate(days))
    flags = ", ".join(f"sum(h.f <= {d} AND {d} < h.t) AS n{k}" for k, d in enumerate(days))
    any_day = " OR ".join(f"(h.f <= {d} AND {d} < h.t)" for d in days)
    group = ", ".join(str(i + 1) for i in range(len(days) + 5))
    by_day = []
    for k in range(len(days)):
        by_day += [f"SELECT 'gender', {k}, gender, sum(n{k}) FROM present GROUP BY gender",
                   f"SELECT 'age', {k}, b{k}, sum(n{k}) FROM present GROUP BY b{k}",
                   f"SELECT 'occupation', {k}, occupation, sum(n{k}) FROM present GROUP BY occupation",
                   f"SELECT 'platform', {k}, platform, sum(n{k}) FROM present GROUP BY platform",
                   f"SELECT 'channel', {k}, join_channel, sum(n{k}) FROM present GROUP BY join_channel",
                   f"SELECT 'union', {k}, coalesce(u.name, ''), sum(pr.n{k}) FROM present pr"
                   f" LEFT JOIN unions u ON u.id = pr.union_id GROUP BY u.name"]
    ctes = [counts_cte, periods_cte, history,
            # one sort into a small cube of every combination, a line once (with a count and an
            # age band per day) rather than once per day, then each dimension from the cube (a
            # GROUP BY per dimension over every member-day sorted the members six times)
            f"""present AS MATERIALIZED (SELECT h.gender, {bands}, h.occupation, h.platform, h.join_channel,
                    h.union_id, {flags}
                FROM h WHERE h.status IN ({_IN_UNION}) AND ({any_day})
                GROUP BY {group})""",
            # In the union on day D: the lines in the union with f <= D < t, that is those begun
            # by D less those ended by D (t >= f), summed over distinct days, not per member.
            f"""starts AS MATERIALIZED (SELECT f AS day, count(*) AS n, sum(status = 'retained') AS r FROM h
                WHERE status IN ({_IN_UNION}) GROUP BY f)""",
            f"""ends AS MATERIALIZED (SELECT t AS day, count(*) AS n, sum(status = 'retained') AS r FROM h
                WHERE status IN ({_IN_UNION}) GROUP BY t)""",
            f"""inperiod AS MATERIALIZED (SELECT p.k, h.status, {_PREV} AS prev, h.channel, h.occupation
                FROM h JOIN p ON h.f >= p.c0 AND h.f <= p.c1)""",
            f"""changed AS MATERIALIZED (SELECT k, {_CHANGE} AS kind, channel, occupation FROM inperiod h)"""]
    head, _ = _with(township, *ctes)
    sql = head + f"""
        SELECT 'stock', c.k, 'members', (SELECT coalesce(sum(n), 0) FROM starts WHERE day <= c.c0)
            - (SELECT coalesce(sum(n), 0) FROM ends WHERE day <= c.c0) FROM c
        UNION ALL SELECT 'stock', c.k, 'retained', (SELECT coalesce(sum(r), 0) FROM starts WHERE day <= c.c0)
            - (SELECT coalesce(sum(r), 0) FROM ends WHERE day <= c.c0) FROM c
        UNION ALL {" UNION ALL ".join(by_day)}
        UNION ALL SELECT 'change', k, kind, count(*) FROM changed WHERE kind IS NOT NULL GROUP BY k, kind
        UNION ALL SELECT 'recruit_channel', k, channel, count(*) FROM changed WHERE kind = '{rf.JOINED}'
            GROUP BY k, channel
        UNION ALL SELECT 'recruit_occupation', k, occupation, count(*) FROM changed WHERE kind = '{rf.JOINED}'
            GROUP BY k, occupation"""
    all_params = params + counts_params + periods_params
    stock: dict[int, list[int]] = {i: [0, 0] for i in range(len(count_days))}
    detail: dict[int, dict[str, dict[str, int]]] = {i: {d: defaultdict(int) for d in DIMENSIONS}
                                                     for i in range(len(detail_days))}
    changes: dict[int, dict[str, int]] = {j: defaultdict(int) for j in range(len(periods))}
    recruits: dict[int, dict[str, dict[str, int]]] = {j: {"channel": defaultdict(int), "occupation": defaultdict(int)}
                                                       for j in range(len(periods))}
    for section, k, key, n in db.conn.execute(sql, all_params):
        if section == "stock":
            stock[k][0 if key == "members" else 1] = n
        elif section == "change":
            changes[k][key] = n
        elif section.startswith("recruit_"):
            recruits[k][section[len("recruit_"):]][key or ""] += n
        else:
            detail[k][section][key or ""] += n
    return {"stock": {k: tuple(v) for k, v in stock.items()}, "detail": detail, "changes": changes,
            "recruits": recruits}


def recruit_figures(db: Database, periods: Sequence[Period], township: str | None = None) -> dict[int, dict[str, dict[str, int]]]:
    """Per period: the 新入会 (a member's first history line, in the union, not by transfer) by
    channel and by occupation — the same lines ``member_figures`` counts as ``joined``, found
    from the period's lines alone: each period's lines through the history's date index (CROSS
    JOIN keeps the periods the outer loop), members looked up for those lines only."""
    periods_cte, p_params = _values("p", list(periods))
    head, params = _with(township, periods_cte, f"""j AS MATERIALIZED (SELECT p.k,
            coalesce(nullif(sh.channel, ''), m.join_channel) AS channel, m.occupation
        FROM p CROSS JOIN member_status_history sh ON sh.effective_date BETWEEN p.c0 AND p.c1
        JOIN members m ON m.id = sh.member_id
        WHERE sh.status = 'active' AND m.merged_into IS NULL{_in_scope("m.union_id", township)}
          AND NOT EXISTS (SELECT 1 FROM member_status_history x WHERE x.member_id = sh.member_id
              AND (x.effective_date, x.recorded_at, x.rowid) < (sh.effective_date, sh.recorded_at, sh.rowid)))""")
    sql = head + f"""
        SELECT 'channel', k, channel, count(*) FROM j WHERE channel != '{rf.TRANSFER_CHANNEL}' GROUP BY k, channel
        UNION ALL SELECT 'occupation', k, occupation, count(*) FROM j WHERE channel != '{rf.TRANSFER_CHANNEL}'
            GROUP BY k, occupation"""
    out: dict[int, dict[str, dict[str, int]]] = {j: {"channel": defaultdict(int), "occupation": defaultdict(int)}
                                                  for j in range(len(periods))}
    for dim, k, key, n in db.conn.execute(sql, params + p_params):
        out[k][dim][key or ""] += n
    return out


def card_figures(db: Database, periods: Sequence[Period], township: str | None = None) -> dict[int, dict[str, int]]:
    """Per period: card lifecycle lines by kind (``issue`` counts new cards only, not the new
    card of a reissue) and ``active_at_end``: cards active on the period's last day."""
    periods_cte, p_params = _values("p", list(periods))
    join = " JOIN members m ON m.id = c.member_id" + _in_scope("m.union_id", township) if township else ""
    head, params = _with(township, periods_cte)
    sql = head + f"""
        SELECT p.k, ce.event, count(*) FROM p JOIN card_events ce ON ce.event_date BETWEEN p.c0 AND p.c1
            JOIN cards c ON c.id = ce.card_id{join}
            WHERE NOT (ce.event = 'issue' AND ce.other_card_id IS NOT NULL) GROUP BY p.k, ce.event
        UNION ALL SELECT p.k, 'active_at_end', count(*) FROM p JOIN cards c ON c.issue_date <= p.c1{join}
            WHERE NOT EXISTS (SELECT 1 FROM card_events x WHERE x.card_id = c.id AND x.event != 'issue'
                              AND x.event_date <= p.c1) GROUP BY p.k"""
    out: dict[int, dict[str, int]] = {j: defaultdict(int) for j in range(len(periods))}
    for k, key, n in db.conn.execute(sql, params + p_params):
        out[k][key] = n
    return out


def event_figures(db: Database, periods: Sequence[Period], township: str | None = None) -> dict[str, Any]:
    """Per period and event type: events held (counted on the day they start, even when they run
    past midnight), sign-ins that count (a duplicate sign-in is not one), of them walk-ins, and
    walk-ins who joined at the desk; and the tallies (consultations, materials, services) by
    kind and label."""
    periods_cte, p_params = _values("p", list(periods))
    head, params = _with(township, periods_cte,
                         "ev AS MATERIALIZED (SELECT p.k, e.id, e.type FROM p JOIN events e"
                         " ON e.event_date BETWEEN p.c0 AND p.c1" + (" WHERE 1" + _in_scope("e.union_id", township)
                                                                    if township else "") + ")")
    sql = head + """
        SELECT 'event', ev.k, ev.type, '', count(*), coalesce(sum(a.n), 0), coalesce(sum(a.walk), 0),
               coalesce(sum(a.joined), 0)
            FROM ev LEFT JOIN (SELECT event_id, count(*) AS n, sum(is_walk_in) AS walk,
                                      sum(joined_at IS NOT NULL) AS joined
                               FROM attendance WHERE duplicate_of IS NULL
                                 AND event_id IN (SELECT id FROM ev) GROUP BY event_id) a ON a.event_id = ev.id
            GROUP BY ev.k, ev.type
        UNION ALL SELECT 'tally', ev.k, t.kind, t.label, sum(t.delta), 0, 0, 0
            FROM ev JOIN event_tallies t ON t.event_id = ev.id GROUP BY ev.k, t.kind, t.label"""
    events: dict[int, dict[str, tuple[int, int, int, int]]] = {j: {} for j in range(len(periods))}
    tallies: dict[int, dict[str, dict[str, int]]] = {j: defaultdict(dict) for j in range(len(periods))}
    for section, k, key, label, n, att, walk, joined in db.conn.execute(sql, params + p_params):
        if section == "event":
            events[k][key] = (n, att, walk, joined)
        else:
            tallies[k][key][label] = n
    return {"events": events, "tallies": tallies}


def hardship_figures(db: Database, periods: Sequence[Period], township: str | None = None) -> dict[str, Any]:
    """Per period: hardship files opened / resolved / withdrawn (history lines), files open on
    the last day, assistance paid by type and by fund in fen (a reversal counts on its own date,
    negative), and workers helped (files with a payment in the period not reversed since).
    ``exists``: whether the scope has any hardship file at all."""
    periods_cte, p_params = _values("p", list(periods))
    head, params = _with(township, periods_cte,
                         "f AS MATERIALIZED (SELECT hf.id FROM hardship_files hf JOIN members m ON m.id = hf.member_id"
                         " WHERE 1" + _in_scope("m.union_id", township) + ")",
                         "hh AS (SELECT x.file_id, x.event, x.effective_date AS day,"
                         " coalesce(lead(x.effective_date) OVER w, '" + _ALWAYS + "') AS t"
                         " FROM hardship_history x JOIN f ON f.id = x.file_id WHERE x.event != 'resurvey'"
                         " WINDOW w AS (PARTITION BY x.file_id ORDER BY x.effective_date, x.recorded_at, x.rowid))")
    sql = head + f"""
        SELECT 'event', p.k, hh.event, '', count(*) FROM p JOIN hh ON hh.day BETWEEN p.c0 AND p.c1
            WHERE hh.event IN ('{rf.FILES_OPENED}', '{rf.FILES_RESOLVED}', '{rf.FILES_WITHDRAWN}') GROUP BY p.k, hh.event
        UNION ALL SELECT 'open', p.k, '', '', count(hh.file_id) FROM p LEFT JOIN hh
            ON hh.day <= p.c1 AND p.c1 < hh.t AND hh.event IN ('filed', 'approved', 'assisting') GROUP BY p.k
        UNION ALL SELECT 'paid', p.k, l.kind, l.fund, sum(l.amount_fen) FROM p JOIN hardship_ledger l
            ON l.paid_date BETWEEN p.c0 AND p.c1 JOIN f ON f.id = l.file_id GROUP BY p.k, l.kind, l.fund
        UNION ALL SELECT 'helped', p.k, '', '', count(DISTINCT l.file_id) FROM p JOIN hardship_ledger l
            ON l.paid_date BETWEEN p.c0 AND p.c1 JOIN f ON f.id = l.file_id
            WHERE l.reverses_id = '' AND NOT EXISTS (SELECT 1 FROM hardship_ledger r WHERE r.reverses_id = l.id)
            GROUP BY p.k
        UNION ALL SELECT 'exists', 0, '', '', EXISTS (SELECT 1 FROM f)"""
    out: dict[str, Any] = {"events": {j: defaultdict(int) for j in range(len(periods))},
                           "open": {j: 0 for j in range(len(periods))},
                           "paid": {j: {} for j in range(len(periods))},
                           "helped": {j: 0 for j in range(len(periods))}, "exists": False}
    for section, k, key, fund, n in db.conn.execute(sql, params + p_params):
        if section == "event":
            out["events"][k][key] = n
        elif section == "paid":
            out["paid"][k][(key, fund)] = n
        elif section == "exists":
            out["exists"] = bool(n)
        else:
            out[section][k] = n
    return out


def union_names(db: Database, union_ids: Sequence[str]) -> dict[str, str]:
    marks = ", ".join("?" * len(union_ids))
    return dict(db.conn.execute(f"SELECT id, name FROM unions WHERE id IN ({marks})", list(union_ids)).fetchall())


def last_change_stamp(db: Database) -> str | None:
    """The change stamp of this database's latest change record (the highest sequence)."""
    row = db.conn.execute("SELECT hlc FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    return row[0] if row else None
