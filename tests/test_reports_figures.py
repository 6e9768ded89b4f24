"""Every figure of the 会员报表 and the 工作情况报表 against an independent count: plain SQL written
here (a correlated "last line on or before the day" per member, not the report's intervals),
over history made by the app's services (tests/report_data.py), for the period, 上期 and 去年同期.
Plus a small scenario whose answers are known by hand (joined, left and re-joined within the
period; changes entered today with earlier effective dates; a merged person; events past midnight)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from clerk_app.domain import event as ev
from clerk_app.domain import report_figures as rf
from clerk_app.domain import vocab
from clerk_app.domain.member import MemberInput
from clerk_app.domain.reports import Period
from clerk_app.services import events, members, reports, signin
from tests import report_data
from tests.conftest import make_id

K = ("本期", "上期", "去年同期")


def rows(table) -> dict[str, tuple]:
    """label -> (本期, 上期, 去年同期); a repeated label keeps its first line."""
    out: dict[str, tuple] = {}
    for row in table.rows:
        out.setdefault(row[0], (row[1], row[2], row[4]))
    return out


def table(report, title_part: str):
    found = [t for t in report.tables if title_part in t.title]
    assert len(found) == 1, [t.title for t in report.tables]
    return found[0]


def three(period: Period) -> list[Period]:
    return [period, period.previous(), period.year_before()]


# ---------------------------------------------------------------- the independent counts

_LAST_LINE = """(SELECT h.status FROM member_status_history h WHERE h.member_id = m.id AND h.effective_date <= ?
                 ORDER BY h.effective_date DESC, h.recorded_at DESC, h.rowid DESC LIMIT 1)"""


def sql_members_on(db, day: dt.date, township: str | None = None) -> list[tuple]:
    """(status, gender, birth, occupation, platform, channel, union name) of each member (not
    merged away) in the union on ``day``."""
    scope = ""
    params: list = [day.isoformat()]
    if township:
        scope = " AND (m.union_id = ? OR m.union_id IN (SELECT id FROM unions WHERE parent_id = ?))"
        params += [township, township]
    found = db.conn.execute(
        f"SELECT {_LAST_LINE} AS s, m.gender, m.birth_date, m.occupation, m.platform, m.join_channel, u.name"
        f" FROM members m JOIN unions u ON u.id = m.union_id WHERE m.merged_into IS NULL{scope}", params).fetchall()
    return [r for r in found if r[0] in ("active", "retained")]


def sql_changes(db, period: Period) -> list[tuple]:
    """(status, previous status, channel, occupation) of each history line in the period."""
    return db.conn.execute(
        "SELECT h.status, (SELECT p.status FROM member_status_history p WHERE p.member_id = h.member_id"
        "   AND (p.effective_date, p.recorded_at, p.rowid) < (h.effective_date, h.recorded_at, h.rowid)"
        "   ORDER BY p.effective_date DESC, p.recorded_at DESC, p.rowid DESC LIMIT 1),"
        " CASE WHEN h.channel != '' THEN h.channel ELSE m.join_channel END, m.occupation"
        " FROM member_status_history h JOIN members m ON m.id = h.member_id"
        " WHERE m.merged_into IS NULL AND h.effective_date BETWEEN ? AND ?",
        [period.start.isoformat(), period.end.isoformat()]).fetchall()


def kind_of(status: str, prev: str | None, channel: str) -> str | None:
    """The test's own reading of domain.report_figures' rules."""
    if status == "active":
        if prev in ("active", "retained"):
            return None
        if channel == "transfer_in":
            return "transfer_in"
        return "joined" if prev is None else "rejoined"
    if status in ("retained", "transferred_out", "withdrawn", "expelled"):
        return status
    return None


def age_band(birth: str, day: dt.date) -> str:
    b = dt.date.fromisoformat(birth)
    age = day.year - b.year - ((day.month, day.day) < (b.month, b.day))
    for low, high, label in rf.AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    raise AssertionError(age)


@pytest.fixture
def world(ctx, today):
    made = report_data.build(ctx, today)
    return ctx, made, report_data.report_period(today)


def test_members_report_matches_plain_sql(world):
    ctx, _made, period = world
    report = reports.members_report(ctx, period)
    changes_table = rows(table(report, "会员增减"))
    for i, p in enumerate(three(period)):
        start = sql_members_on(ctx.db, p.start - dt.timedelta(days=1))
        end = sql_members_on(ctx.db, p.end)
        kinds = Counter(kind_of(s, prev, ch) for s, prev, ch, _occ in sql_changes(ctx.db, p))
        assert changes_table["期初会员数"][i] == len(start), K[i]
        assert changes_table["期末会员数"][i] == len(end), K[i]
        assert changes_table["其中：保留会籍"][i] == sum(1 for r in end if r[0] == "retained")
        for kind, label in {**rf.INCREASES, **rf.DECREASES}.items():
            assert changes_table[label][i] == kinds[kind], (K[i], label)
        assert changes_table["本期办理保留会籍"][i] == kinds["retained"]
        assert changes_table["本期增加"][i] == sum(kinds[k] for k in rf.INCREASES)
        assert changes_table["本期减少"][i] == sum(kinds[k] for k in rf.DECREASES)
        # the composition at the period's end, dimension by dimension
        comp = {
            "按性别": Counter(r[1] for r in end),
            "按年龄段": Counter(age_band(r[2], p.end) for r in end),
            "按职业": Counter(r[3] or rf.NOT_GIVEN for r in end),
            "按平台": Counter(r[4] or rf.NO_PLATFORM for r in end),
            "按入会方式": Counter(vocab.JOIN_CHANNELS[r[5]] for r in end),
            "按所属工会": Counter(r[6] for r in end),
        }
        for part, expected in comp.items():
            got = rows(table(report, part))
            assert got["期末会员数"][i] == len(end)
            shown = {label: v[i] for label, v in got.items() if label != "期末会员数" and v[i]}
            assert shown == dict(expected), (K[i], part)
    # every new-employment occupation has its own line, found or not
    occupations = rows(table(report, "按职业"))
    assert all(o in occupations for o in ("货车司机", "快递员", "外卖配送员", "网约车司机"))
    # the history is sound, so the report reconciles
    assert report.reconciliation.endswith("核对相符")
    # members by month: each month's last day (the last one the period's end)
    chart = report.charts[0]
    assert chart.kind == "line" and len(chart.categories) == 12
    assert chart.categories[-1] == f"{period.end.year}-{period.end.month:02d}"
    for (label, day), value in zip(rf.month_ends(period.end), chart.series[0].values):
        assert value == len(sql_members_on(ctx.db, day)), label


def test_a_township_report_counts_its_unions_only(world):
    ctx, made, period = world
    home = ctx.home_union_id
    report = reports.members_report(ctx, period, township=home)
    end = sql_members_on(ctx.db, period.end, township=home)
    assert rows(table(report, "会员增减"))["期末会员数"][0] == len(end)
    assert "西红门镇总工会" not in rows(table(report, "按所属工会"))
    other = reports.members_report(ctx, period, township=made.other_township_id)
    assert rows(table(other, "会员增减"))["期末会员数"][0] == len(
        sql_members_on(ctx.db, period.end, township=made.other_township_id))
    assert other.township == "西红门镇总工会" and other.union_name == "西红门镇总工会"


def test_work_report_matches_plain_sql(world):
    ctx, _made, period = world
    report = reports.work_report(ctx, period)
    db = ctx.db
    recruits = rows(table(report, "发展会员"))
    cards_t = rows(table(report, "服务卡"))
    held = table(report, "活动开展")
    tallies = rows(table(report, "咨询"))
    aid = rows(table(report, "困难职工帮扶"))
    by_kind = rows(table(report, "按帮扶类型"))
    by_fund = rows(table(report, "按资金来源"))
    for i, p in enumerate(three(period)):
        s, e = p.start.isoformat(), p.end.isoformat()
        joined = [(ch, occ) for st, prev, ch, occ in sql_changes(db, p) if kind_of(st, prev, ch) == "joined"]
        assert recruits["新发展会员"][i] == len(joined)
        for code, label in vocab.JOIN_CHANNELS.items():
            if code != "transfer_in":
                assert recruits[label][i] == sum(1 for ch, _ in joined if ch == code)
        n = lambda sql, *a: db.conn.execute(sql, a).fetchone()[0]  # noqa: E731
        assert cards_t["新发服务卡"][i] == n("SELECT count(*) FROM card_events WHERE event = 'issue'"
                                         " AND other_card_id IS NULL AND event_date BETWEEN ? AND ?", s, e)
        for event, label in (("lost", "挂失"), ("reissue", "补换"), ("cancel", "注销")):
            assert cards_t[label][i] == n("SELECT count(*) FROM card_events WHERE event = ?"
                                          " AND event_date BETWEEN ? AND ?", event, s, e), label
        active = sum(1 for (cid, issued) in db.conn.execute("SELECT id, issue_date FROM cards").fetchall()
                     if issued <= e and not n("SELECT count(*) FROM card_events WHERE card_id = ?"
                                              " AND event != 'issue' AND event_date <= ?", cid, e))
        assert cards_t["期末有效服务卡"][i] == active
        # events: counted on the day they start; sign-ins that count (not duplicates)
        per_type = dict(db.conn.execute("SELECT type, count(*) FROM events WHERE event_date BETWEEN ? AND ?"
                                        " GROUP BY type", [s, e]).fetchall())
        people = dict(db.conn.execute(
            "SELECT e.type, count(a.id) FROM events e JOIN attendance a ON a.event_id = e.id"
            " WHERE e.event_date BETWEEN ? AND ? AND a.duplicate_of IS NULL GROUP BY e.type", [s, e]).fetchall())
        walk = n("SELECT count(*) FROM events e JOIN attendance a ON a.event_id = e.id WHERE e.event_date"
                 " BETWEEN ? AND ? AND a.duplicate_of IS NULL AND a.is_walk_in = 1", s, e)
        lines = [(r[0], r[(1, 2, 4)[i]]) for r in held.rows]  # (label, figure of this period)
        head = lines.index(("活动场次", sum(per_type.values())))
        att = lines.index(("参加人次", sum(people.values())))
        assert {lab: v for lab, v in lines[head + 1:att] if v} == per_type
        assert {lab: v for lab, v in lines[att + 1:att + 1 + len(lines[head + 1:att])] if v} == people
        assert dict(lines)["其中：非会员（现场登记）"] == walk
        assert dict(lines)["其中：会员"] == sum(people.values()) - walk
        for kind, label in (("consultation", "咨询人次"), ("material", "发放宣传资料（份）"),
                            ("service", "提供服务（人次）")):
            assert tallies[label][i] == n("SELECT coalesce(sum(t.delta), 0) FROM event_tallies t JOIN events e"
                                          " ON e.id = t.event_id WHERE t.kind = ? AND e.event_date"
                                          " BETWEEN ? AND ?", kind, s, e)
        assert tallies["自印折页"][i] == n("SELECT coalesce(sum(t.delta), 0) FROM event_tallies t JOIN events e"
                                        " ON e.id = t.event_id WHERE t.label = '自印折页' AND e.event_date"
                                        " BETWEEN ? AND ?", s, e)
        # hardship
        assert aid["新建档"][i] == n("SELECT count(*) FROM hardship_history WHERE event = 'filed'"
                                    " AND effective_date BETWEEN ? AND ?", s, e)
        assert aid["解困脱困"][i] == n("SELECT count(*) FROM hardship_history WHERE event = 'resolved'"
                                     " AND effective_date BETWEEN ? AND ?", s, e)
        fen = n("SELECT coalesce(sum(amount_fen), 0) FROM hardship_ledger WHERE paid_date BETWEEN ? AND ?", s, e)
        assert by_kind["帮扶金额合计（元）"][i] == Decimal(fen) / 100
        assert isinstance(by_kind["帮扶金额合计（元）"][i], Decimal)
        for (fund, f_fen) in db.conn.execute("SELECT fund, sum(amount_fen) FROM hardship_ledger WHERE paid_date"
                                             " BETWEEN ? AND ? GROUP BY fund", [s, e]).fetchall():
            assert by_fund[fund][i] == Decimal(f_fen) / 100
        files = db.conn.execute("SELECT id FROM hardship_files").fetchall()
        open_files = 0
        for (fid,) in files:
            last = db.conn.execute("SELECT event FROM hardship_history WHERE file_id = ? AND effective_date <= ?"
                                   " AND event != 'resurvey' ORDER BY effective_date DESC, recorded_at DESC,"
                                   " rowid DESC LIMIT 1", [fid, e]).fetchone()
            open_files += bool(last and last[0] in ("filed", "approved", "assisting"))
        assert aid["期末在档"][i] == open_files
    occ_chart, att_chart = report.charts
    assert occ_chart.kind == att_chart.kind == "bar"
    assert [s.name for s in occ_chart.series] == list(K)


# ---------------------------------------------------------------- known by hand

def _member(ctx, n: int, join: dt.date, **kw) -> str:
    inp = MemberInput(name="测试" + "甲乙丙丁戊己庚辛壬癸"[n], id_number=make_id(seq=f"{700 + n}"),
                      phone=f"1380000{n:04d}", union_id=ctx.home_union_id, occupation="快递员", join_date=join, **kw)
    return members.register_member(ctx, inp, confirm_possible_duplicate=True).member_id


def test_joined_left_and_rejoined_within_the_period_known_answers(ctx, today):
    period = report_data.report_period(today)
    s = period.start
    before = s - dt.timedelta(days=40)
    a = _member(ctx, 0, before)                                   # stays
    b = _member(ctx, 1, s + dt.timedelta(days=1))                 # joins in the period
    c = _member(ctx, 2, s + dt.timedelta(days=2))                 # joins, withdraws, re-joins
    members.change_status(ctx, c, vocab.WITHDRAWN, effective=s + dt.timedelta(days=5))
    members.change_status(ctx, c, vocab.ACTIVE, effective=s + dt.timedelta(days=9))
    d = _member(ctx, 3, before)                                   # retained in the period
    members.change_status(ctx, d, vocab.RETAINED, effective=s + dt.timedelta(days=3))
    e = _member(ctx, 4, before)                                   # transferred out: entered today, dated earlier
    members.change_status(ctx, e, vocab.TRANSFERRED_OUT, effective=s)
    _member(ctx, 5, period.end, join_channel="transfer_in")       # transferred in, on the last day
    g = _member(ctx, 6, before)                                   # expelled
    members.change_status(ctx, g, vocab.EXPELLED, effective=period.end)
    h = _member(ctx, 7, s - dt.timedelta(days=1))                 # joined on the eve: in the start figure
    late = _member(ctx, 8, today)                                 # joins after the period: not counted
    # one person registered twice and merged: counted once, the second 入会 is no increase
    h2 = _member(ctx, 9, s + dt.timedelta(days=4))
    ctx.db.conn.execute("UPDATE member_status_history SET member_id = ? WHERE member_id = ?", [h, h2])
    ctx.db.conn.execute("UPDATE members SET merged_into = ? WHERE id = ?", [h, h2])
    del a, b, late
    report = reports.members_report(ctx, period)
    got = {label: v[0] for label, v in rows(table(report, "会员增减")).items()}
    assert got == {"期初会员数": 5, "本期增加": 4, "新入会": 2, "重新入会": 1, "转入": 1, "本期减少": 3, "转出": 1,
                   "退会": 1, "开除会籍": 1, "期末会员数": 6, "其中：保留会籍": 1, "本期办理保留会籍": 1}
    assert report.reconciliation == "期初 5 + 增加 4 − 减少 3 = 期末 6，核对相符"
    work = reports.work_report(ctx, period)
    assert rows(table(work, "发展会员"))["新发展会员"][0] == 2


def test_bad_history_is_reported_not_hidden(ctx, today):
    """A second 退会 of someone already out (crafted in SQL: the services refuse it) is counted
    as a decrease but changes no one's membership, so the figures no longer add up — and the
    report says by how much instead of forcing them to."""
    period = report_data.report_period(today)
    m = _member(ctx, 0, period.start - dt.timedelta(days=30))
    _member(ctx, 1, period.start - dt.timedelta(days=30))
    members.change_status(ctx, m, vocab.WITHDRAWN, effective=period.start + dt.timedelta(days=2))
    ctx.db.conn.execute(
        "INSERT INTO member_status_history (id, member_id, status, effective_date, reason, channel, recorded_at)"
        " VALUES ('bad-line', ?, 'withdrawn', ?, '', '', ?)", [m, (period.start + dt.timedelta(days=6)).isoformat(),
                                                              ctx.now_stamp()])
    report = reports.members_report(ctx, period)
    assert report.reconciliation == ("期初 2 + 增加 0 − 减少 2 = 0，而期末实有 1，相差 +1 人，核对不符："
                                     "会籍变动记录有误（如重复的退会、转出记录），请核对后重新生成")


def test_events_past_midnight_count_once_on_their_first_day(ctx, today):
    period = report_data.report_period(today)

    def event(day: dt.date) -> str:
        eid = events.create_event(ctx, ev.EventInput(type="送清凉", title="夜间", event_date=day, start_time="20:00",
                                                     end_time="23:00", venue="站点", union_id=ctx.home_union_id)).id
        ctx.db.conn.execute("UPDATE events SET end_time = '03:00' WHERE id = ?", [eid])
        for w in range(4):
            res = signin.sign_in_walk_in(ctx, eid, "夜班" + "甲乙丙丁"[w], f"1350000{day.day:02d}{w:02d}",
                                         confirm_not_member=True)
            if w >= 2:  # after midnight
                ctx.db.conn.execute("UPDATE attendance SET signed_in_at = ? WHERE id = ?",
                                    [(day + dt.timedelta(days=1)).isoformat() + "T01:00:00+08:00", res.attendee.id])
        return eid

    event(period.end)                          # runs into the next period: counts here, once
    event(period.start - dt.timedelta(days=1))  # runs into this period: counts in the one before
    work = reports.work_report(ctx, period)
    held = rows(table(work, "活动开展"))
    assert held["活动场次"] == (1, 1, 0)
    assert held["参加人次"] == (4, 4, 0)
    chart = work.charts[-1]
    assert chart.categories == ("送清凉",) and chart.series[0].values == (4,)
