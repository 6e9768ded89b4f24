"""The assistance ledger (帮扶台账): pay, reverse, visits, the rules and their versions, totals.

The ledger is insert-only: a correction is a reversal entry (the negative amount, pointing to the
entry it reverses) plus a new entry, both kept; storage refuses an UPDATE or DELETE of a ledger
row. Amounts are integer fen inside, ``Decimal`` at the edges; more than two decimals is refused.
Each entry records the rule version it was checked against; a payment that breaks a rule is
refused unless a 负责人 gives an override reason, which is kept beside the entry."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from decimal import Decimal

from ..domain import assistance as rules_mod
from ..domain import hardship as hs
from ..domain.errors import UserError
from ..domain.hardship_records import LedgerEntry, RuleVersion, Visit
from ..domain.money import parse_yuan, to_yuan
from ..domain.text import multi_line, single_line
from ..storage import hardship_repo as repo
from ..storage.db import transaction
from . import access
from .context import Context, new_id
from .hardship import find_file

TEXT_MAX = 100


@dataclass(frozen=True)
class PaymentInput:
    kind: str
    amount: str | Decimal
    paid_date: _dt.date
    fund: str
    approver: str
    method: str = "银行转账"
    recipient_id: str = ""  # a household member's id (金秋助学: the child); '' for the worker
    notes: str = ""
    override_reason: str = ""  # a 负责人's reason to pay although a rule is broken


@dataclass(frozen=True)
class RuleCheck:
    version: int
    breaches: tuple[rules_mod.Breach, ...]

    @property
    def ok(self) -> bool:
        return not self.breaches

    @property
    def message(self) -> str:
        return "；".join(b.detail for b in self.breaches)


@dataclass(frozen=True)
class TotalLine:
    year: str
    kind: str
    fund: str
    amount: Decimal
    payments: int


@dataclass(frozen=True)
class Totals:
    lines: tuple[TotalLine, ...]
    amount: Decimal

    def by(self, attr: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in self.lines:
            key = getattr(line, attr)
            out[key] = out.get(key, Decimal("0.00")) + line.amount
        return out


# ---------------------------------------------------------------- rules

def current_rules(ctx: Context) -> tuple[int, rules_mod.Rules]:
    latest = repo.latest_rules(ctx.db)
    return (latest.version, latest.rules) if latest else (rules_mod.DEFAULT_VERSION, rules_mod.DEFAULT)


def rule_history(ctx: Context) -> list[RuleVersion]:
    """Every version a 负责人 made, newest first (the built-in rules are version 0)."""
    return repo.rule_versions(ctx.db)


def edit_rules(ctx: Context, note: str = "", **changes) -> int:
    """:func:`set_rules` with only the named fields changed from the current rules (the CLI's
    ``hardship rules set``): ``emergency_min`` / ``emergency_max`` in yuan (text or Decimal),
    the other fields of :class:`~clerk_app.domain.assistance.Rules` as integers."""
    current = current_rules(ctx)[1]
    values = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name in ("emergency_min", "emergency_max"):
            values[name + "_fen"] = parse_yuan(value, "临时应急救助" + ("下限" if name.endswith("min") else "上限"))
        elif name in rules_mod.Rules.__dataclass_fields__:
            values[name] = int(value)
        else:
            raise TypeError(name)
    return set_rules(ctx, replace(current, **values), note)


def set_rules(ctx: Context, new: rules_mod.Rules, note: str = "") -> int:
    """A 负责人 edits the rules: a new version; earlier entries keep the version they were checked with."""
    access.require(ctx, "hardship_rules")
    problem = new.problem()
    if problem:
        raise UserError("ledger.bad_rules", detail=problem)
    with transaction(ctx.db):
        if new == current_rules(ctx)[1]:
            raise UserError("ledger.rules_unchanged")
        version = current_rules(ctx)[0] + 1
        rid = new_id(ctx.clock)
        ctx.changes.insert("hardship_rules", {"id": rid, "version": version, "rules": new.to_json(),
                                              "note": single_line(note, "NFKC")[:TEXT_MAX],
                                              "clerk_id": ctx.clerk.id, "recorded_at": ctx.now_stamp()})
        ctx.audit("rules", "hardship_rules", rid, version=version)
    return version


def check_payment(ctx: Context, file_id: str, kind: str, amount_fen: int, paid_date: _dt.date,
                  recipient_id: str = "") -> RuleCheck:
    """What a payment would break, at once (the window shows it while the clerk types)."""
    version, rules = current_rules(ctx)
    earlier = [e.as_payment() for e in repo.ledger(ctx.db, file_id) if e.stands]
    payment = rules_mod.Payment(kind, amount_fen, paid_date, recipient_id)
    return RuleCheck(version, tuple(rules_mod.check(payment, earlier, rules)))


# ---------------------------------------------------------------- writing

def _text(value: str, label: str, required: bool = True, limit: int = TEXT_MAX) -> str:
    text = single_line(value, "NFKC")
    if required and not text:
        raise UserError("member.required", label=label)
    if len(text) > limit:
        raise UserError("member.too_long", label=label, max=limit)
    return text


def pay(ctx: Context, file_ref: str, inp: PaymentInput) -> LedgerEntry:
    access.require(ctx, "hardship")
    f = find_file(ctx, file_ref)
    if f.status in (hs.WITHDRAWN,):
        raise UserError("ledger.file_closed", status=f.status_label)
    if inp.kind not in rules_mod.KINDS:
        raise UserError("member.bad_choice", label="帮扶类型")
    if inp.method not in rules_mod.METHODS:
        raise UserError("member.bad_choice", label="发放方式")
    amount = parse_yuan(inp.amount, "发放金额")
    if not isinstance(inp.paid_date, _dt.date):
        raise TypeError("paid_date is a datetime.date")
    if inp.paid_date > ctx.today():
        raise UserError("hardship.date_future", label="发放日期")
    fund = _text(inp.fund, "资金来源")
    approver = _text(inp.approver, "审批人")
    notes = multi_line(inp.notes).strip()
    if len(notes) > rules_mod.NOTES_MAX:
        raise UserError("member.too_long", label="备注", max=rules_mod.NOTES_MAX)
    recipient_name = f.name
    if inp.recipient_id:
        child = [h for h in repo.household(ctx.db, f.id) if h.id == inp.recipient_id]
        if not child:
            raise UserError("ledger.bad_recipient")
        recipient_name = child[0].name
    reason = single_line(inp.override_reason)
    with transaction(ctx.db):
        checked = check_payment(ctx, f.id, inp.kind, amount, inp.paid_date, inp.recipient_id)
        if checked.breaches and not reason:
            raise UserError("ledger.rule_broken", detail=checked.message)
        entry_id, now = new_id(ctx.clock), ctx.now_stamp()
        ctx.changes.insert("hardship_ledger", {
            "id": entry_id, "file_id": f.id, "kind": inp.kind, "amount_fen": amount,
            "paid_date": inp.paid_date.isoformat(), "fund": fund, "approver": approver,
            "recipient_id": inp.recipient_id, "recipient_name": recipient_name, "method": inp.method,
            "notes": notes, "rule_version": checked.version, "reverses_id": "", "clerk_id": ctx.clerk.id,
            "recorded_at": now})
        for breach in checked.breaches:
            ctx.changes.insert("hardship_overrides", {
                "id": new_id(ctx.clock), "entry_id": entry_id, "rule": breach.rule, "detail": breach.detail,
                "reason": reason[:TEXT_MAX * 2], "clerk_id": ctx.clerk.id, "recorded_at": now})
        if f.status == hs.APPROVED:  # the first payment of an approved file: now 帮扶中
            ctx.changes.update("hardship_files", f.id, {"status": hs.ASSISTING}, touch={"updated_at": now})
            since = max([h.effective_date for h in repo.history(ctx.db, f.id)] + [inp.paid_date.isoformat()])
            ctx.changes.insert("hardship_history", {
                "id": new_id(ctx.clock), "file_id": f.id, "event": hs.ASSISTING, "effective_date": since,
                "reason": "首次发放", "clerk_id": ctx.clerk.id, "recorded_at": now})
        ctx.audit("pay", "hardship_ledger", entry_id, file=f.id, kind=inp.kind,
                  overridden=",".join(b.rule for b in checked.breaches))
    found = repo.entry(ctx.db, entry_id)
    assert found is not None
    return found


def reverse(ctx: Context, entry_id: str, reason: str, *, day: _dt.date | None = None) -> LedgerEntry:
    """冲销: a reversal entry of the negative amount; the original stays."""
    access.require(ctx, "hardship")
    reason = _text(reason, "冲销原因", limit=TEXT_MAX * 2)
    with transaction(ctx.db):
        original = repo.entry(ctx.db, single_line(entry_id, "NFKC").lower())
        if original is None:
            raise UserError("ledger.not_found")
        if original.is_reversal:
            raise UserError("ledger.reverse_reversal")
        if original.reversed_by:
            raise UserError("ledger.already_reversed")
        day = day or ctx.today()
        if day > ctx.today():
            raise UserError("hardship.date_future", label="冲销日期")
        rid, now = new_id(ctx.clock), ctx.now_stamp()
        version = current_rules(ctx)[0]
        ctx.changes.insert("hardship_ledger", {
            "id": rid, "file_id": original.file_id, "kind": original.kind, "amount_fen": -original.amount_fen,
            "paid_date": day.isoformat(), "fund": original.fund, "approver": original.approver,
            "recipient_id": original.recipient_id, "recipient_name": original.recipient_name,
            "method": original.method, "notes": f"冲销：{reason}", "rule_version": version,
            "reverses_id": original.id, "clerk_id": ctx.clerk.id, "recorded_at": now})
        ctx.audit("reverse", "hardship_ledger", rid, reverses=original.id)
    found = repo.entry(ctx.db, rid)
    assert found is not None
    return found


def record_visit(ctx: Context, file_ref: str, *, day: _dt.date, visitors: str, findings: str = "",
                 given: str = "") -> Visit:
    """走访: date, visitors, what was found, what was given."""
    access.require(ctx, "hardship")
    f = find_file(ctx, file_ref)
    if day > ctx.today():
        raise UserError("hardship.date_future", label="走访日期")
    visitors = _text(visitors, "走访人")
    findings, given = multi_line(findings).strip()[:1000], multi_line(given).strip()[:1000]
    with transaction(ctx.db):
        vid = new_id(ctx.clock)
        ctx.changes.insert("hardship_visits", {"id": vid, "file_id": f.id, "visit_date": day.isoformat(),
                                               "visitors": visitors, "findings": findings, "given": given,
                                               "clerk_id": ctx.clerk.id, "recorded_at": ctx.now_stamp()})
        ctx.audit("visit", "hardship_file", f.id)
    return [v for v in repo.visits(ctx.db, f.id) if v.id == vid][0]


# ---------------------------------------------------------------- after a merge

@dataclass(frozen=True)
class Flag:
    """A payment that breaks a rule once every laptop's entries are together (both entries stay)."""

    entry: LedgerEntry
    breach: rules_mod.Breach


def recheck(db, rules: rules_mod.Rules | None = None) -> list[Flag]:
    """The rules checked again over all standing entries in date order (after a sync merge the
    same worker may have been paid 两节 on two laptops). Entries with a kept override are not
    flagged for the rule they were overridden on. ``db``: a district's database has no clerk."""
    if rules is None:
        latest = repo.latest_rules(db)
        rules = latest.rules if latest else rules_mod.DEFAULT
    by_file: dict[str, list[LedgerEntry]] = {}
    for e in repo.ledger(db):
        if e.stands:
            by_file.setdefault(e.file_id, []).append(e)
    flags = []
    for entries in by_file.values():
        entries.sort(key=lambda e: (e.paid_date, e.recorded_at, e.id))
        for i, e in enumerate(entries):
            overridden = {o.rule for o in repo.overrides(db, e.id)}
            for breach in rules_mod.check(e.as_payment(), [x.as_payment() for x in entries[:i]], rules):
                if breach.rule not in overridden:
                    flags.append(Flag(e, breach))
    return flags


# ---------------------------------------------------------------- reading

def entries(ctx: Context, file_ref: str | None = None, *, date_from: _dt.date | None = None,
            date_to: _dt.date | None = None) -> list[LedgerEntry]:
    file_id = find_file(ctx, file_ref).id if file_ref else None
    return repo.ledger(ctx.db, file_id, date_from=date_from.isoformat() if date_from else None,
                       date_to=date_to.isoformat() if date_to else None)


def totals(ctx: Context, file_ref: str | None = None, year: int | None = None) -> Totals:
    """Per year, type and fund (reversals netted), for one worker or the whole union; exact to the fen."""
    file_id = find_file(ctx, file_ref).id if file_ref else None
    rows = repo.totals(ctx.db, file_id, str(year) if year else None)
    lines = tuple(TotalLine(y, k, fund, to_yuan(fen), n) for y, k, fund, fen, n in rows)
    return Totals(lines, to_yuan(sum(r[3] for r in rows)))
