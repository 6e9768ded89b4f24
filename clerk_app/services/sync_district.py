"""What the district's window shows and decides: the laptops, the conflict inbox, duplicate
persons and the sync log (the district's own workstation; a laptop never shows these).

:func:`district_view` reads everything the window lists into typed rows in one go (the window
runs it on the task runner); :func:`resolve_conflict` is a person's decision on one inbox entry:

* **same field changed on two laptops** (``same_field``): keep the value in force (``mine``),
  the other laptop's (``theirs``) or a corrected value typed in. The decision is a change record
  written through ``ctx.changes`` with the version it saw as its base, so it follows both
  edits everywhere and travels down to the laptops like any edit; the entry is resolved.
* **a write-once field** (join date, channel, card number) keeps its earliest value in every
  merge: only ``mine`` is possible there (the entry is closed; a wrong value is corrected on the
  member's record).
* **invariant breaches** (two active cards, an active card of someone who left, a row whose
  parent another laptop deleted) are never "fixed" by the inbox: the row says what to do
  (report a card lost, cancel it ...) and ``mine`` marks it as dealt with.

Values of ID numbers and phones are masked here; hardship values are not shown at all.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ..domain.errors import UserError
from ..domain.idnumber import check_id, mask
from ..domain.member import LABELS as MEMBER_LABELS
from ..domain.member import TEXT_FIELDS
from ..domain.phone import mask_phone, normalise_phone
from ..domain.text import single_line
from ..storage import cards_repo, members_repo, unions_repo
from ..storage import sync_ledger as ledger
from ..storage import sync_store as store
from ..storage.db import transaction
from ..storage.hlc import parse_stamp
from . import sync_site
from .access import require
from .context import Context
from .sync_packages import iso_day, status

MINE, THEIRS = "mine", "theirs"
SAME_FIELD, WRITE_ONCE = "same_field", "write_once"
BREACHES = {
    "two_active_cards": ("一人有两张有效卡", "请到“服务卡”页把多余的一张挂失或注销，然后标记为已处理"),
    "active_card_left_union": ("已离会人员仍有有效卡", "请到“服务卡”页注销该卡（或核实会籍），然后标记为已处理"),
    "two_hardship_files": ("合并后一人有两份在档的困难职工档案",
                           "两份都保留：请负责人到“困难职工”页核对，撤回其中一份（撤档并写明原因），然后标记为已处理"),
    "parent_deleted": ("所属记录已被另一台电脑删除", "这条记录已暂存未并入；请与删除它的笔记本核实，确认后标记为已处理"),
}
TABLE_LABELS = {"members": "会员", "unions": "工会", "events": "活动", "cards": "服务卡", "clerks": "经办人",
                "attendance": "签到"}
FIELD_LABELS = {**MEMBER_LABELS, "title": "活动名称", "venue": "地点", "event_date": "活动日期",
                "start_time": "开始时间", "end_time": "结束时间", "kind": "类型", "parent_id": "上级工会",
                "created_at": "创建时间", "gender": "性别", "birth_date": "出生日期", "card_no": "卡号",
                "issue_date": "发卡日期"}
MASKED = {"id_number": mask, "phone": mask_phone}
TEXT_MAX = {f: n for f, _label, n in TEXT_FIELDS} | {"name": 30, "title": 60, "venue": 60}


# ---------------------------------------------------------------------------------------- rows

@dataclass(frozen=True)
class LaptopRow:
    id: str                 # site id
    name: str
    union: str
    card_code: str
    epoch: int
    last_seq: int | None    # last package imported from it
    last_at: str            # when (ISO)
    missing: tuple[int, ...]
    revoked: bool
    pending: int            # our records it has not acknowledged


@dataclass(frozen=True)
class Side:
    value: str              # as shown (masked where it must be)
    laptop: str             # who wrote it
    stamp: str              # when (local time, to the minute)


@dataclass(frozen=True)
class InboxRow:
    id: int
    kind: str
    what: str               # "会员 王小明 · 手机号码" / "一人有两张有效卡"
    current: Side | None    # the value in force (None: an invariant breach)
    other: Side | None
    hint: str               # what to do
    found_at: str
    can_take_other: bool    # the other value may be chosen (not a write-once field)


@dataclass(frozen=True)
class DuplicateRow:
    id: str                 # "a|b", for the model
    keep_id: str            # the record registered first (kept by 合并)
    drop_id: str
    masked_id: str
    names: tuple[str, str]
    laptops: tuple[str, str]
    cards: tuple[str, str]  # card numbers, "、"-joined
    registered: tuple[str, str]


@dataclass(frozen=True)
class LogRow:
    id: str
    at: str
    direction: str          # 导入 / 导出 / 拒绝
    laptop: str
    seq: int | None
    detail: str
    refused: bool


@dataclass(frozen=True)
class DistrictView:
    laptops: list[LaptopRow]
    inbox: list[InboxRow]
    duplicates: list[DuplicateRow]
    log: list[LogRow]
    alarms: int
    duplicate_sign_ins: int   # sign-ins kept as duplicates (they do not count: nothing to do)


def district_view(ctx: Context) -> DistrictView:
    if not sync_site.identity(ctx).is_district:
        raise UserError("syncsite.not_district")
    names = site_names(ctx)
    return DistrictView(laptops(ctx), inbox(ctx, names), duplicates(ctx, names), sync_log(ctx, names),
                        len(store.alarms(ctx.db)), store.duplicate_sign_ins(ctx.db))


def site_names(ctx: Context) -> dict[str, str]:
    me = sync_site.identity(ctx)
    names = {p.site_id: p.name for p in ledger.peers(ctx.db)}
    names.update({local: names[site] for local, site in ledger.origin_sites(ctx.db).items() if site in names})
    if me.site_id:
        names[me.site_id] = names[ctx.site_id] = f"{me.name or '区总工会'}（本机）"
    return names


def laptops(ctx: Context) -> list[LaptopRow]:
    unions = {u.id: u.name for u in unions_repo.all_unions(ctx.db)}
    by_id = {p.site_id: p for p in ledger.peers(ctx.db, ledger.LAPTOP)}
    rows = []
    for st in status(ctx).peers:
        peer = by_id.get(st.site_id)
        if peer is None:
            continue
        got = st.last_received
        rows.append(LaptopRow(st.site_id, st.name, unions.get(peer.union_id, ""), peer.card_code, st.epoch,
                              got.seq if got else None, got.at if got else "", tuple(st.missing), st.revoked,
                              sum(st.pending.values())))
    return sorted(rows, key=lambda r: (r.revoked, r.name))


def _when(hlc: str) -> str:
    ms = parse_stamp(hlc)[0]
    return _dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def _shown(tbl: str, fld: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if tbl.startswith("hardship"):
        return "（困难档案内容，不在此显示）"
    if fld in MASKED:
        return MASKED[fld](str(value))
    return str(value)


def _side(tbl: str, fld: str, side: dict, names: dict[str, str]) -> Side:
    hlc, _, site = str(side.get("version", "")).partition("@")
    try:
        stamp = _when(hlc)
    except ValueError:
        stamp = ""
    return Side(_shown(tbl, fld, side.get("value")), names.get(site, site[:8]), stamp)


def _row_label(ctx: Context, tbl: str, row_id: str) -> str:
    values = store.get_row(ctx.db, tbl, row_id) or {}
    label = values.get("name") or values.get("title") or values.get("card_no") or row_id[:8]
    return f"{TABLE_LABELS.get(tbl, tbl)} {label}"


def inbox(ctx: Context, names: dict[str, str] | None = None) -> list[InboxRow]:
    names = names if names is not None else site_names(ctx)
    rows = []
    for entry in store.open_conflicts(ctx.db):
        tbl, fld, detail = entry["tbl"], entry["field"], entry["detail"]
        if entry["kind"] in (SAME_FIELD, WRITE_ONCE):
            what = f"{_row_label(ctx, tbl, entry['row_id'])} · {FIELD_LABELS.get(fld, fld)}"
            once = entry["kind"] == WRITE_ONCE
            hint = ("只能写一次：全区保留最早的值" if once
                    else "两台电脑同时改了这一项：请选择保留哪一个值（决定会随同步包发回各笔记本）")
            rows.append(InboxRow(entry["id"], entry["kind"], what, _side(tbl, fld, detail.get("winner", {}), names),
                                 _side(tbl, fld, detail.get("loser", {}), names), hint, entry["found_at"], not once))
            continue
        title, hint = BREACHES.get(entry["kind"], (entry["kind"], "请核实后标记为已处理"))
        what = f"{title}：{_row_label(ctx, tbl, entry['row_id'])}"
        if entry["kind"] in ("two_active_cards", "active_card_left_union"):
            numbers = [card.card_no for card in cards_repo.by_ids(ctx.db, detail.get("cards", []))]
            what += f"（卡号 {'、'.join(numbers)}）" if numbers else ""
        rows.append(InboxRow(entry["id"], entry["kind"], what, None, None, hint, entry["found_at"], False))
    for event_id, member_id, n in store.uncounted_sign_ins(ctx.db):
        rows.append(InboxRow(-1, "sign_ins", f"一人在一次活动中计了 {n} 次签到：{_row_label(ctx, 'members', member_id)}"
                             f"，{_row_label(ctx, 'events', event_id)}", None, None,
                             "请在该活动的签到名单中核实，删除多余的签到", "", False))
    return rows


def duplicates(ctx: Context, names: dict[str, str] | None = None) -> list[DuplicateRow]:
    names = names if names is not None else site_names(ctx)
    rows = []
    for a, b, _rule, decision in store.duplicate_pairs(ctx.db):
        if decision:
            continue
        ma, mb = members_repo.get(ctx.db, a), members_repo.get(ctx.db, b)
        if ma is None or mb is None or ma.merged_into or mb.merged_into:
            continue
        keep, drop = sorted((ma, mb), key=lambda m: (m.created_at, m.id))
        laptops_ = tuple(names.get(store.created_by(ctx.db, "members", m.id) or "", "—") for m in (keep, drop))
        cards = tuple("、".join(c.card_no for c in cards_repo.for_member(ctx.db, m.id)) or "无" for m in (keep, drop))
        rows.append(DuplicateRow(f"{keep.id}|{drop.id}", keep.id, drop.id, mask(keep.id_number),
                                 (keep.name, drop.name), laptops_, cards,
                                 (iso_day(keep.created_at), iso_day(drop.created_at))))
    return rows


def sync_log(ctx: Context, names: dict[str, str] | None = None, limit: int = 200) -> list[LogRow]:
    names = names if names is not None else site_names(ctx)
    rows = []
    for p in ledger.packages(ctx.db, limit=limit):
        n = sum(v for k, v in p.counts.items() if not k.startswith("_"))
        if p.direction == ledger.IN:
            rows.append(LogRow(f"in:{p.sender}:{p.epoch}:{p.seq}", p.at, "导入", names.get(p.sender, p.sender[:8]),
                               p.seq, f"{n} 条记录", False))
        else:
            rows.append(LogRow(f"out:{p.site}:{p.epoch}:{p.seq}", p.at, "导出", names.get(p.site, p.site[:8]), p.seq,
                               f"{n} 条记录" + ("，对方已确认" if p.upto_seq and not _pending_out(ctx, p) else ""),
                               False))
    for i, r in enumerate(ledger.refusals(ctx.db, limit)):
        rows.append(LogRow(f"refused:{i}:{r.at}", r.at, "拒绝", names.get(r.sender, r.sender[:8] or "—"),
                           r.seq or None, f"{r.file}：{r.message}（{r.reason}）", True))
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]


def _pending_out(ctx: Context, p: ledger.LedgerRow) -> bool:
    peer = ledger.peer(ctx.db, p.site)
    return peer is None or peer.acked_seq < p.upto_seq


# ---------------------------------------------------------------------------------- decisions

@dataclass(frozen=True)
class Resolved:
    conflict_id: int
    kind: str
    tbl: str
    row_id: str
    field: str
    value: str              # as shown (masked)
    recorded: bool          # a change record was written (it travels down)


def resolve_conflict(ctx: Context, conflict_id: int, keep: str) -> Resolved:
    """A person's decision on one inbox entry (see the module's text). ``keep``: ``mine`` (the
    value in force; for a breach: dealt with), ``theirs`` (the other laptop's value) or a new
    value for the field."""
    require(ctx, "resolve_conflicts")
    if not sync_site.identity(ctx).is_district:
        raise UserError("syncsite.not_district")
    keep = (keep or "").strip()
    if not keep:
        raise UserError("inbox.bad_keep")
    with transaction(ctx.db):
        entry = store.open_conflict(ctx.db, conflict_id)
        if entry is None:
            raise UserError("inbox.not_found", id=conflict_id)
        tbl, row_id, fld, kind = entry["tbl"], entry["row_id"], entry["field"], entry["kind"]
        now = ctx.now_stamp()
        label = FIELD_LABELS.get(fld, fld)
        recorded, shown = False, ""
        if kind in (SAME_FIELD, WRITE_ONCE) and store.row_exists(ctx.db, tbl, row_id):
            if kind == WRITE_ONCE and keep != MINE:
                raise UserError("inbox.write_once", field=label)
            if kind == SAME_FIELD:
                value = _chosen(ctx, entry, keep, label)
                ctx.changes.update(tbl, row_id, {fld: value}, force=True,
                                   touch={"updated_at": now} if "updated_at" in store.columns(ctx.db, tbl) else None)
                if tbl == "members":
                    m = members_repo.get(ctx.db, row_id)
                    members_repo.write_keys(ctx.db, row_id, m.name, m.id_number, m.phone)
                recorded, shown = True, _shown(tbl, fld, value)
        elif keep != MINE:
            raise UserError("inbox.bad_keep")
        store.resolve_conflict(ctx.db, conflict_id, now)
        ctx.changes.note("sync_conflicts")
        ctx.audit("resolve", "sync_conflict", str(conflict_id), kind=kind, tbl=tbl, row_id=row_id, field=fld,
                  keep=keep if keep in (MINE, THEIRS) else "value")
    return Resolved(conflict_id, kind, tbl, row_id, fld, shown, recorded)


def _chosen(ctx: Context, entry: dict, keep: str, label: str):
    detail = entry["detail"]
    if keep == MINE:
        return store.get_row(ctx.db, entry["tbl"], entry["row_id"])[entry["field"]]
    if keep == THEIRS:
        return detail.get("loser", {}).get("value")
    return _free_value(ctx, entry, keep, label)


def _free_value(ctx: Context, entry: dict, text: str, label: str) -> str:
    """A corrected value typed in for a text field, checked as the registration form would."""
    fld = entry["field"]
    sides = [entry["detail"].get(s, {}).get("value") for s in ("winner", "loser")]
    if entry["tbl"] not in ("members", "unions", "events") or not all(isinstance(v, str) or v is None for v in sides):
        raise UserError("inbox.no_free_value", field=label)
    if fld == "id_number":
        checked = check_id(text, ctx.today())
        if not checked.valid:
            raise UserError("inbox.bad_value", problem="身份证号码校验不通过")
        return checked.number
    if fld == "phone":
        digits, issue = normalise_phone(text)
        if issue is not None:
            raise UserError("inbox.bad_value", problem="手机号码格式不对")
        return digits
    if fld.endswith("_date"):
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise UserError("inbox.bad_value", problem="日期应写成 2026-11-21") from None
    if fld.endswith("_id") or fld in ("status", "gender", "kind"):
        raise UserError("inbox.no_free_value", field=label)
    value = single_line(text)
    if not value or len(value) > TEXT_MAX.get(fld, 100):
        raise UserError("inbox.bad_value", problem=f"{label}不能为空，最多 {TEXT_MAX.get(fld, 100)} 个字")
    return value
