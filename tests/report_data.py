"""A laptop's worth of history for the report tests, made through the app's own services (so
rows look as the app writes them), dated relative to the app's today: members joining, leaving
and re-joining, status changes entered today with an earlier effective date, transfers,
retained and expelled members, cards issued, lost, reissued and cancelled, events with sign-ins
and tallies, hardship files with payments and a reversal. A few rows are then crafted directly
in SQL: a person merged at the district, and events running past midnight.

The report under test counts ``period`` (the last whole month before today), its previous month
and the same month a year before; the data spreads over all three and around them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from clerk_app.domain import event as ev
from clerk_app.domain import vocab
from clerk_app.domain.assistance import EMERGENCY, FESTIVAL, MEDICAL
from clerk_app.domain.hardship import FileInput
from clerk_app.domain.member import MemberInput
from clerk_app.domain.reports import Period
from clerk_app.services import cards, events, hardship, hardship_ledger, members, signin
from clerk_app.services.unions import add_union
from tests.conftest import make_id

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def report_period(today: dt.date) -> Period:
    """The last whole month before ``today``."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return Period.month(last.year, last.month)


@dataclass
class Made:
    """What was made, for tests to look for (and to make sure none of it leaks)."""

    names: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    branch_id: str = ""
    other_township_id: str = ""


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def build(ctx, today: dt.date, *, members_count: int = 70, seed: int = 13) -> Made:
    rng = random.Random(seed)
    made = Made()
    cards.set_card_prefix(ctx, "DX07")
    period = report_period(today)
    earliest = period.year_before().start - dt.timedelta(days=120)
    branch = add_union(ctx, "黄村镇快递行业联合工会", "联合工会", ctx.home_union_id)
    other = add_union(ctx, "西红门镇总工会", "乡镇街道总工会", None)
    made.branch_id, made.other_township_id = branch.id, other.id
    unions = [ctx.home_union_id, branch.id, other.id]
    # Key dates around the period, so the edges are hit on purpose.
    edges = [period.start, period.end, period.start - dt.timedelta(days=1), period.previous().start,
             period.year_before().start, period.year_before().end, today]
    member_ids = []
    for i in range(members_count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        birth = dt.date(today.year - rng.randint(19, 62), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id(region=rng.choice(("110115", "110105", "410122")), birth=birth.strftime("%Y%m%d"),
                         seq=f"{i:03d}")
        phone = f"139{i:08d}"
        join = rng.choice(edges) if i % 7 == 0 else _day_between(rng, earliest, today)
        join = max(join, birth + dt.timedelta(days=16 * 366))
        occupation = rng.choice(vocab.OCCUPATIONS + ("", "骑手站长"))
        inp = MemberInput(name=name, id_number=number, phone=phone, union_id=rng.choice(unions),
                          occupation=occupation or "其他", platform=rng.choice(("美团", "饿了么", "顺丰", "", "闪送")),
                          join_channel=rng.choice(tuple(vocab.JOIN_CHANNELS)), join_date=join)
        mid = members.register_member(ctx, inp, confirm_possible_duplicate=True).member_id
        if not occupation:  # an occupation left empty (a roster's member)
            ctx.db.conn.execute("UPDATE members SET occupation = '' WHERE id = ?", [mid])
        made.names.append(name)
        made.id_numbers.append(number)
        made.phones.append(phone)
        member_ids.append((mid, join))
        _card_life(ctx, rng, mid, join, today)
        _status_life(ctx, rng, mid, join, today, edges)
    _merged_person(ctx, made, period, today)
    _events(ctx, rng, made, member_ids, period, today)
    _hardship(ctx, rng, made, member_ids, period, today)
    return made


def _card_life(ctx, rng, mid: str, join: dt.date, today: dt.date) -> None:
    if rng.random() < 0.4:
        return
    issued = _day_between(rng, join, today)
    card = cards.issue_card(ctx, mid, issued)
    if rng.random() < 0.3:
        lost = _day_between(rng, issued, today)
        cards.report_lost(ctx, card.id, "丢失", lost)
        if rng.random() < 0.6:
            cards.reissue_card(ctx, card.id, "补卡", _day_between(rng, lost, today))


def _status_life(ctx, rng, mid: str, join: dt.date, today: dt.date, edges: list[dt.date]) -> None:
    """Up to four changes, each dated after the last (entered today, effective earlier)."""
    last, status = join, vocab.ACTIVE
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
        choices = sorted(vocab.TRANSITIONS[status])
        if not choices:
            return
        target = rng.choice(choices)
        pick = [d for d in edges if last <= d <= today]
        day = rng.choice(pick) if pick and rng.random() < 0.3 else _day_between(rng, last, today)
        channel = rng.choice(("", "transfer_in")) if target == vocab.ACTIVE and status != vocab.RETAINED else ""
        members.change_status(ctx, mid, target, effective=day, channel=channel, reason="测试")
        last, status = day, target


def _merged_person(ctx, made: Made, period: Period, today: dt.date) -> None:
    """One person registered on two laptops, merged at the district: the dropped record keeps
    ``merged_into`` and its history moved to the kept one (as services.person_merge does)."""
    keep_no, drop_no = make_id(birth="19880808", seq="901"), make_id(birth="19880808", seq="902")
    keep = members.register_member(ctx, MemberInput(
        name="合并甲", id_number=keep_no, phone="13700000001", union_id=ctx.home_union_id, occupation="快递员",
        join_date=period.previous().start)).member_id
    drop = members.register_member(ctx, MemberInput(
        name="合并乙", id_number=drop_no, phone="13700000002", union_id=ctx.home_union_id, occupation="快递员",
        join_date=period.start + dt.timedelta(days=3))).member_id
    ctx.db.conn.execute("UPDATE member_status_history SET member_id = ? WHERE member_id = ?", [keep, drop])
    ctx.db.conn.execute("UPDATE members SET merged_into = ? WHERE id = ?", [keep, drop])
    made.names += ["合并甲", "合并乙"]
    made.id_numbers += [keep_no, drop_no]


def _event(ctx, type_: str, day: dt.date, title: str, start: str = "09:00", end: str = "11:00") -> str:
    return events.create_event(ctx, ev.EventInput(type=type_, title=title, event_date=day, start_time=start,
                                                  end_time=end, venue="黄村镇职工之家",
                                                  union_id=ctx.home_union_id)).id


def _events(ctx, rng, made: Made, member_ids, period: Period, today: dt.date) -> None:
    days = [period.start, period.end, period.start + dt.timedelta(days=9), period.previous().end,
            period.previous().start + dt.timedelta(days=4), period.year_before().start + dt.timedelta(days=2),
            period.year_before().end, today]
    for n in range(14):
        eid = _event(ctx, rng.choice(ev.EVENT_TYPES), days[n % len(days)], f"活动{n}")
        for mid, _join in rng.sample(member_ids, rng.randint(0, 8)):
            signin.sign_in_member(ctx, eid, mid)  # not in the union: NOT_IN_UNION, nobody signed in
        for w in range(rng.randint(0, 3)):
            name = "访客" + "子丑寅卯辰巳午未申酉戌亥天地"[n] + "甲乙丙"[w]
            phone = f"136{n:04d}{w:04d}"
            signin.sign_in_walk_in(ctx, eid, name, phone, "外卖配送员", confirm_not_member=True)
            made.names.append(name)
            made.phones.append(phone)
        for kind, labels in ev.TALLY_SUGGESTIONS.items():
            for label in rng.sample(labels, 2):
                events.add_tally(ctx, eid, kind, label, rng.randint(1, 30))
        events.add_tally(ctx, eid, ev.MATERIAL, "自印折页", 5)
    # Past midnight: an evening event on the period's last day (sign-ins after midnight fall
    # on the next day) and one on the day before the period whose late sign-ins fall inside it.
    late = _event(ctx, "送清凉", period.end, "夜间送清凉", "20:00", "23:00")
    early = _event(ctx, "送清凉", period.start - dt.timedelta(days=1), "前夜送清凉", "21:00", "23:00")
    for eid, day in ((late, period.end), (early, period.start - dt.timedelta(days=1))):
        ctx.db.conn.execute("UPDATE events SET end_time = '02:00' WHERE id = ?", [eid])
        for w in range(3):
            res = signin.sign_in_walk_in(ctx, eid, "夜班" + "甲乙丙"[w], f"135{w:04d}{day.day:04d}", confirm_not_member=True)
            after = (day + dt.timedelta(days=1)).isoformat() + f"T00:{10 + w}:00+08:00"
            if w:
                ctx.db.conn.execute("UPDATE attendance SET signed_in_at = ? WHERE id = ?", [after, res.attendee.id])
            made.names.append("夜班" + "甲乙丙"[w])
    # A sign-in another laptop also recorded (merged as a duplicate): never counted.
    ctx.db.conn.execute(
        "INSERT INTO attendance (id, event_id, member_id, is_walk_in, method, signed_in_at, duplicate_of)"
        " SELECT 'dup-' || id, event_id, member_id, is_walk_in, method, signed_in_at, id FROM attendance"
        " WHERE event_id = ? LIMIT 1", [late])


def _hardship(ctx, rng, made: Made, member_ids, period: Period, today: dt.date) -> None:
    in_union = [mid for mid, _ in member_ids if members.get_member(ctx, mid).in_union]
    days = [period.start, period.end, period.previous().start, period.year_before().start + dt.timedelta(days=5)]
    for n, mid in enumerate(in_union[:5]):
        filed = max(days[n % len(days)], dt.date.fromisoformat(members.get_member(ctx, mid).join_date))
        f = hardship.file_member(ctx, mid, FileInput(category="低保户", health="良好", own_monthly_income="2000",
                                                     other_yearly_income="0", household_size=1,
                                                     primary_cause="重大疾病", sensitive_consent="书面"), filed=filed)
        hardship.change_status(ctx, f.file_id, "approved", day=filed)
        kinds = (EMERGENCY, FESTIVAL, MEDICAL)
        for k in range(2):
            paid = _day_between(rng, filed, today)
            amount = "5000.50" if kinds[k % 3] == EMERGENCY else f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}"
            entry = hardship_ledger.pay(ctx, f.file_id, hardship_ledger.PaymentInput(
                kind=kinds[(n + k) % 3], amount=amount, paid_date=paid, fund=rng.choice(("工会经费", "上级补助")),
                approver="张主席", override_reason="测试"))
            if n == 1 and k == 0:
                hardship_ledger.reverse(ctx, entry.id, "金额录错", day=_day_between(rng, paid, today))
        if n % 2 == 0:
            last = max(_day_between(rng, filed, today), filed)
            f_now = hardship.find_file(ctx, f.file_id)
            target = "resolved" if f_now.status == "assisting" else "withdrawn"
            hardship.change_status(ctx, f.file_id, target, reason="测试", day=max(last, _last_file_day(ctx, f.file_id)))


def _last_file_day(ctx, file_id: str) -> dt.date:
    row = ctx.db.conn.execute("SELECT max(effective_date) FROM hardship_history WHERE file_id = ?", [file_id]).fetchone()
    return dt.date.fromisoformat(row[0])
