"""Hardship files (困难职工建档): file a member, edit the file and its household, move it through
its lifecycle, re-survey it yearly, list what is due, reveal its sensitive fields.

Every write is one transaction through ``ctx.changes`` (it travels in sync) with one audit entry
naming fields, never values. Editing needs the ``hardship`` permission (负责人). Sensitive data
(health, disability, income, bank account) needs the worker's consent of its own kind
(``hardship_sensitive``), and a minor's row in the household the guardian's (``guardian``);
without them the save is refused with the reason. 职工编号 is numbered under the laptop's card code
(assigned by the district, see ``domain.cardno``), so two laptops never give the same one."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, fields

from ..domain import hardship as hs
from ..domain import vocab
from ..domain.errors import UserError
from ..domain.hardship_records import FileRow, HardshipFile, HistoryEntry, HouseholdMember, LedgerEntry, Visit
from ..domain.money import to_yuan
from ..domain.text import single_line
from ..storage import hardship_repo as repo
from ..storage import members_repo
from ..storage.db import transaction
from ..storage.meta import get_meta, set_meta
from . import access
from .context import Context, is_uuid, new_id
from .reveal import audit_reveal

SENSITIVE, GUARDIAN = "hardship_sensitive", "guardian"
NO_PREFIX = "hardship.prefix_required"
SEQ_DIGITS = 5
SENSITIVE_NAMES = "health,illness,disability,income,bank_account"


@dataclass(frozen=True)
class FileDetail:
    file: HardshipFile
    household: tuple[HouseholdMember, ...]
    history: tuple[HistoryEntry, ...]
    ledger: tuple[LedgerEntry, ...]
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class FileSaved:
    file_id: str
    worker_no: str
    per_head_how: str


# ---------------------------------------------------------------- numbering

def _seq_key(prefix: str) -> str:
    return f"hardship_seq:{prefix}"


def _take_worker_no(ctx: Context) -> str:
    """``<card code>K<5 digits>`` (e.g. ``DX07K00012``): the laptop's card code is unique to it."""
    prefix = get_meta(ctx.db, "card_prefix")
    if not prefix:
        raise UserError(NO_PREFIX)
    head = f"{prefix}K"
    saved = int(get_meta(ctx.db, _seq_key(prefix), "0") or 0)
    top = repo.highest_worker_no(ctx.db, head, len(head) + SEQ_DIGITS)
    seq = max(saved, int(top[len(head):]) if top else 0) + 1
    if seq >= 10 ** SEQ_DIGITS:
        raise UserError("card.sequence_exhausted", prefix=prefix)
    set_meta(ctx.db, _seq_key(prefix), str(seq))
    ctx.changes.note("meta")
    return f"{head}{seq:0{SEQ_DIGITS}d}"


# ---------------------------------------------------------------- reading

def find_file(ctx: Context, ref: str) -> HardshipFile:
    """A file by its UUID or its 职工编号."""
    ref = single_line(ref or "", "NFKC")
    found = repo.get_file(ctx.db, ref.lower()) if is_uuid(ref) else repo.file_by_no(ctx.db, ref.upper())
    if found is None:
        raise UserError("hardship.not_found", ref=ref)
    return found


def get_detail(ctx: Context, ref: str) -> FileDetail:
    f = find_file(ctx, ref)
    return FileDetail(f, tuple(repo.household(ctx.db, f.id)), tuple(repo.history(ctx.db, f.id)),
                      tuple(repo.ledger(ctx.db, f.id)), tuple(repo.visits(ctx.db, f.id)))


def list_files(ctx: Context, query: str = "", *, overdue: bool = False, limit: int = 500) -> list[FileRow]:
    return repo.list_files(ctx.db, query=single_line(query, "NFKC"),
                           overdue_on=ctx.today().isoformat() if overdue else None, open_statuses=hs.OPEN,
                           limit=limit)


def due_for_resurvey(ctx: Context, within_days: int = 0) -> list[FileRow]:
    """Open files whose yearly re-survey is due by today (+ ``within_days``), most overdue first."""
    day = ctx.today() + _dt.timedelta(days=within_days)
    return repo.list_files(ctx.db, overdue_on=day.isoformat(), open_statuses=hs.OPEN, limit=100_000)


def double_files(db) -> list[list[FileRow]]:
    """One person with two or more open files, each group listed (both files stay; a 负责人
    decides which to withdraw, 撤档 with the reason). It happens at the district when a person
    filed on two laptops is merged into one record (services.person_merge moves the files to the
    kept record), or when two laptops filed the same member offline. ``db``: a district's
    database has no clerk; the window and ``hardship recheck`` show the groups."""
    return repo.open_files_by_person(db, hs.OPEN)


def reveal_file(ctx: Context, ref: str) -> HardshipFile:
    """The file with its full numbers for a 负责人, audited (field names only) before it is read out."""
    f = find_file(ctx, ref)
    access.require(ctx, "hardship")
    audit_reveal(ctx, "hardship_file", f.id, "显示困难职工档案的完整信息", fields=f"id_number,phone,{SENSITIVE_NAMES}")
    return f


# ---------------------------------------------------------------- consents

def _consents(ctx: Context, member_id: str) -> list[tuple[str, str]]:
    return repo.consent_kinds(ctx.db, member_id)


def _add_consent(ctx: Context, member_id: str, kind: str, method: str, subject_id: str = "", basis: str = "") -> None:
    now = ctx.now_stamp()
    ctx.changes.insert("consents", {
        "id": new_id(ctx.clock), "member_id": member_id, "notice_version": vocab.NOTICE_VERSION, "consented_at": now,
        "method": method, "clerk_id": ctx.clerk.id, "basis": basis, "kind": kind, "subject_id": subject_id})


def _check_consents(ctx: Context, member_id: str, clean: hs.CleanFile, inp: hs.FileInput,
                    row_ids: list[str]) -> None:
    """Refuse (before anything is written) what lacks its consent; write the consents given now."""
    have = _consents(ctx, member_id)
    method = single_line(inp.sensitive_consent, "NFKC")
    if clean.sensitive and not method and not any(k == SENSITIVE for k, _s in have):
        raise UserError("hardship.consent_sensitive")
    for row, given, row_id in zip(clean.household, inp.household, row_ids):
        if row.minor and not given.guardian_consent and (GUARDIAN, row_id) not in have:
            raise UserError("hardship.consent_guardian", name=row.values["name"], age=row.age)
    if method and clean.sensitive and not any(k == SENSITIVE for k, _s in have):
        _add_consent(ctx, member_id, SENSITIVE, method, basis="困难职工档案")
    for row, given, row_id in zip(clean.household, inp.household, row_ids):
        if row.minor and given.guardian_consent and (GUARDIAN, row_id) not in have:
            _add_consent(ctx, member_id, GUARDIAN, method or "监护人书面同意", row_id, basis="未成年家庭成员信息")


# ---------------------------------------------------------------- writing

def _history(ctx: Context, file_id: str, event: str, day: _dt.date, reason: str = "") -> None:
    ctx.changes.insert("hardship_history", {
        "id": new_id(ctx.clock), "file_id": file_id, "event": event, "effective_date": day.isoformat(), "reason": reason,
        "clerk_id": ctx.clerk.id, "recorded_at": ctx.now_stamp()})


def _write_household(ctx: Context, file_id: str, clean: hs.CleanFile, row_ids: list[str]) -> None:
    now = ctx.now_stamp()
    kept = set()
    existing = {h.id for h in repo.household(ctx.db, file_id)}
    for pos, (row, row_id) in enumerate(zip(clean.household, row_ids)):
        values = {**row.values, "position": pos}
        if row_id in existing:
            ctx.changes.update("hardship_household", row_id, values, touch={"updated_at": now})
        else:
            ctx.changes.insert("hardship_household", {"id": row_id, "file_id": file_id, **values,
                                                      "created_at": now, "updated_at": now})
        kept.add(row_id)
    for gone in existing - kept:
        ctx.changes.delete("hardship_household", gone)


def _row_ids(ctx: Context, inp: hs.FileInput) -> list[str]:
    return [h.id or new_id(ctx.clock) for h in inp.household]


def _changed_names(values: dict) -> str:
    return ",".join(sorted(values))


def file_member(ctx: Context, member_id: str, inp: hs.FileInput, *, filed: _dt.date | None = None) -> FileSaved:
    """建档: a new file for a member (register a non-member first: ``services.members``)."""
    access.require(ctx, "hardship")
    today = ctx.today()
    filed = filed or today
    if filed > today:
        raise UserError("hardship.date_future", label="建档日期")
    member = members_repo.get(ctx.db, member_id)
    if member is None:
        raise UserError("hardship.not_a_member")
    clean = hs.validate_file(inp, today)
    with transaction(ctx.db):
        if repo.files_of_member(ctx.db, member_id) and any(
                repo.get_file(ctx.db, fid).status in hs.OPEN for fid in repo.files_of_member(ctx.db, member_id)):
            raise UserError("hardship.already_filed", name=member.name)
        row_ids = _row_ids(ctx, inp)
        _check_consents(ctx, member_id, clean, inp, row_ids)
        file_id, now = new_id(ctx.clock), ctx.now_stamp()
        worker_no = _take_worker_no(ctx)
        ctx.changes.insert("hardship_files", {
            "id": file_id, "member_id": member_id, "worker_no": worker_no, **clean.values,
            "status": hs.FILED, "filed_date": filed.isoformat(),
            "resurvey_due": hs.resurvey_due(filed).isoformat(), "created_at": now, "updated_at": now})
        _write_household(ctx, file_id, clean, row_ids)
        _history(ctx, file_id, hs.FILED, filed)
        ctx.audit("create", "hardship_file", file_id, fields=_changed_names(clean.values),
                  household=len(clean.household))
    return FileSaved(file_id, worker_no, clean.per_head.how)


def update_file(ctx: Context, ref: str, inp: hs.FileInput) -> FileSaved:
    """Edit a file's fields and household (last writer wins per field in sync)."""
    access.require(ctx, "hardship")
    f = find_file(ctx, ref)
    clean = hs.validate_file(inp, ctx.today())
    with transaction(ctx.db):
        row_ids = _row_ids(ctx, inp)
        _check_consents(ctx, f.member_id, clean, inp, row_ids)
        changed = ctx.changes.update("hardship_files", f.id, clean.values, touch={"updated_at": ctx.now_stamp()})
        _write_household(ctx, f.id, clean, row_ids)
        ctx.audit("update", "hardship_file", f.id, fields=_changed_names(changed), household=len(clean.household))
    return FileSaved(f.id, f.worker_no, clean.per_head.how)


def change_status(ctx: Context, ref: str, target: str, *, reason: str = "", day: _dt.date | None = None) -> HardshipFile:
    """建档 → 审核通过 → 帮扶中 → 解困脱困, or 撤档 (reason required); refused in Chinese otherwise."""
    access.require(ctx, "hardship")
    f = find_file(ctx, ref)
    reason = single_line(reason)
    if len(reason) > hs.REASON_MAX:
        raise UserError("member.too_long", label="原因", max=hs.REASON_MAX)
    issue = hs.transition_issue(f.status, target, reason)
    if issue:
        raise UserError(issue[0], **issue[1])
    day = day or ctx.today()
    if day > ctx.today():
        raise UserError("hardship.date_future", label="变更日期")
    last = repo.history(ctx.db, f.id)
    if last and day.isoformat() < last[-1].effective_date:
        raise UserError("hardship.date_before_last", date=last[-1].effective_date, event=last[-1].label)
    with transaction(ctx.db):
        ctx.changes.update("hardship_files", f.id, {"status": target}, touch={"updated_at": ctx.now_stamp()})
        _history(ctx, f.id, target, day, reason)
        ctx.audit("status", "hardship_file", f.id, status=target)
    return find_file(ctx, f.id)


def record_resurvey(ctx: Context, ref: str, *, day: _dt.date | None = None, note: str = "") -> HardshipFile:
    """年度复查 done: the next one falls due a year later."""
    access.require(ctx, "hardship")
    f = find_file(ctx, ref)
    if f.status not in hs.OPEN:
        raise UserError("hardship.closed", status=f.status_label)
    day = day or ctx.today()
    if day > ctx.today():
        raise UserError("hardship.date_future", label="复查日期")
    with transaction(ctx.db):
        ctx.changes.update("hardship_files", f.id, {"resurvey_due": hs.resurvey_due(day).isoformat()},
                           touch={"updated_at": ctx.now_stamp()})
        _history(ctx, f.id, hs.RESURVEY, day, single_line(note, "NFKC")[:hs.REASON_MAX])
        ctx.audit("resurvey", "hardship_file", f.id)
    return find_file(ctx, f.id)


def input_of(f: HardshipFile, household: tuple[HouseholdMember, ...]) -> hs.FileInput:
    """The form pre-filled from a stored file (for editing)."""
    data = {}
    for fl in fields(hs.FileInput):
        if fl.name in ("household", "sensitive_consent"):
            continue
        if fl.name == "own_monthly_income":
            data[fl.name] = str(to_yuan(f.own_monthly_fen))
        elif fl.name == "other_yearly_income":
            data[fl.name] = str(to_yuan(f.other_yearly_fen))
        elif fl.name in hs.FLAGS:
            data[fl.name] = bool(getattr(f, fl.name))
        else:
            data[fl.name] = getattr(f, fl.name)
    rows = []
    for h in household:
        row = {fl.name: getattr(h, fl.name) for fl in fields(hs.HouseholdInput)
               if fl.name not in ("guardian_consent", "monthly_income")}
        row["monthly_income"] = str(to_yuan(h.monthly_income_fen))
        rows.append(hs.HouseholdInput(**row))
    return hs.FileInput(**data, household=rows)
