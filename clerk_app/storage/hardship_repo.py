"""SQL for hardship files, their household, history, ledger, rules, overrides and visits.
Writes go through ``ctx.changes`` in ``services.hardship*``; this module reads."""

from __future__ import annotations

from typing import Any, Sequence

from sqlite_utils import Database

from ..domain.assistance import Rules
from ..domain.hardship_records import (Attachment, FileRow, HardshipFile, HistoryEntry, HouseholdMember,
                                       LedgerEntry, Override, RuleVersion, Visit)

FILE_COLUMNS = (
    "id", "member_id", "worker_no", "category", "health", "illness", "disability_kind", "disability_grade",
    "work_status", "model_worker", "housing_type", "housing_area", "other_contact", "work_since", "industry",
    "marital_status", "register_type", "address", "employer_nature", "enterprise_status", "single_parent",
    "own_monthly_fen", "other_yearly_fen", "household_size", "register_region", "medical_insurance", "self_help",
    "zero_employment", "primary_cause", "secondary_cause", "cause_text", "bank", "bank_branch", "bank_account",
    "remarks", "filer", "reviewer", "entry_clerk", "opinion_org", "opinion_org_date", "opinion_union",
    "opinion_union_date", "opinion_system", "opinion_system_date", "publicized", "publicized_date", "status",
    "filed_date", "resurvey_due", "created_at", "updated_at")
_FILE_SELECT = ("SELECT " + ", ".join(f"f.{c}" for c in FILE_COLUMNS)
                + ", m.name, m.gender, m.ethnicity, m.political_status, m.birth_date, m.id_number, m.phone,"
                  " m.employer, u.name FROM hardship_files f JOIN members m ON m.id = f.member_id"
                  " JOIN unions u ON u.id = m.union_id")
HOUSEHOLD_COLUMNS = (
    "id", "file_id", "name", "relation", "ethnicity", "id_number", "birth_date", "gender", "political_status",
    "monthly_income_fen", "model_worker", "health", "illness", "medical_insurance", "marital_status",
    "register_type", "phone", "identity", "education", "enrol_year", "school_years", "school_or_employer",
    "work_status", "position")
_LEDGER_SELECT = (
    "SELECT l.id, l.file_id, l.kind, l.amount_fen, l.paid_date, l.fund, l.approver, l.recipient_id,"
    " l.recipient_name, l.method, l.notes, l.rule_version, l.reverses_id, l.clerk_id, l.recorded_at,"
    " coalesce((SELECT r.id FROM hardship_ledger r WHERE r.reverses_id = l.id LIMIT 1), ''),"
    " coalesce((SELECT group_concat(o.reason, '；') FROM hardship_overrides o WHERE o.entry_id = l.id), ''),"
    " m.name, f.worker_no"
    " FROM hardship_ledger l JOIN hardship_files f ON f.id = l.file_id JOIN members m ON m.id = f.member_id")


def get_file(db: Database, file_id: str) -> HardshipFile | None:
    row = db.conn.execute(f"{_FILE_SELECT} WHERE f.id = ?", [file_id]).fetchone()
    return HardshipFile(*row) if row else None


def file_by_no(db: Database, worker_no: str) -> HardshipFile | None:
    row = db.conn.execute(f"{_FILE_SELECT} WHERE f.worker_no = ?", [worker_no]).fetchone()
    return HardshipFile(*row) if row else None


def files_of_member(db: Database, member_id: str) -> list[str]:
    return [r[0] for r in db.conn.execute("SELECT id FROM hardship_files WHERE member_id = ? ORDER BY filed_date",
                                          [member_id])]


def highest_worker_no(db: Database, prefix: str, length: int) -> str | None:
    row = db.conn.execute("SELECT max(worker_no) FROM hardship_files WHERE worker_no LIKE ? AND length(worker_no) = ?",
                          [prefix + "%", length]).fetchone()
    return row[0] if row else None


_ROW = ("SELECT f.id, f.worker_no, m.name, f.category, f.status, f.filed_date, f.resurvey_due, f.member_id"
        " FROM hardship_files f JOIN members m ON m.id = f.member_id")


def list_files(db: Database, *, query: str = "", overdue_on: str | None = None, open_statuses: Sequence[str] = (),
               limit: int = 500) -> list[FileRow]:
    """Files by worker number, newest first; ``query``: a piece of the name or of the 职工编号;
    ``overdue_on``: only open files whose re-survey date is on or before that day."""
    where: list[str] = []
    params: list[Any] = []
    if query:
        where.append("(m.name LIKE ? OR f.worker_no LIKE ?)")
        params += [f"%{query}%", f"%{query.upper()}%"]
    if overdue_on:
        where.append(f"f.status IN ({', '.join('?' * len(open_statuses))}) AND f.resurvey_due <= ?")
        params += [*open_statuses, overdue_on]
    sql = _ROW + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY f.resurvey_due, f.worker_no" if overdue_on else " ORDER BY f.worker_no DESC"
    return [FileRow(*r) for r in db.conn.execute(sql + " LIMIT ?", [*params, limit])]


def open_files_by_person(db: Database, open_statuses: Sequence[str]) -> list[list[FileRow]]:
    """Groups of two or more open files of one person: the same member, or members merged into
    one (``members.merged_into``: the district's decision that two records are one person)."""
    marks = ", ".join("?" * len(open_statuses))
    rows = db.conn.execute(
        _ROW.replace("SELECT ", "SELECT COALESCE(m.merged_into, f.member_id) AS person, ", 1)
        + f" WHERE f.status IN ({marks}) AND COALESCE(m.merged_into, f.member_id) IN ("
          f"  SELECT COALESCE(m2.merged_into, f2.member_id) FROM hardship_files f2 JOIN members m2 ON m2.id = f2.member_id"
          f"  WHERE f2.status IN ({marks}) GROUP BY 1 HAVING count(*) > 1)"
        + " ORDER BY person, f.filed_date, f.worker_no", [*open_statuses, *open_statuses])
    groups: dict[str, list[FileRow]] = {}
    for r in rows:
        groups.setdefault(r[0], []).append(FileRow(*r[1:]))
    return list(groups.values())


def household(db: Database, file_id: str) -> list[HouseholdMember]:
    rows = db.conn.execute(f"SELECT {', '.join(HOUSEHOLD_COLUMNS)} FROM hardship_household WHERE file_id = ?"
                           " ORDER BY position, name", [file_id])
    return [HouseholdMember(*r) for r in rows]


def history(db: Database, file_id: str) -> list[HistoryEntry]:
    rows = db.conn.execute("SELECT id, file_id, event, effective_date, reason, clerk_id, recorded_at"
                           " FROM hardship_history WHERE file_id = ? ORDER BY effective_date, recorded_at, rowid",
                           [file_id])
    return [HistoryEntry(*r) for r in rows]


def ledger(db: Database, file_id: str | None = None, *, entry_ids: Sequence[str] = (),
           date_from: str | None = None, date_to: str | None = None) -> list[LedgerEntry]:
    where: list[str] = []
    params: list[Any] = []
    if file_id:
        where.append("l.file_id = ?")
        params.append(file_id)
    if entry_ids:
        where.append(f"l.id IN ({', '.join('?' * len(entry_ids))})")
        params += list(entry_ids)
    if date_from:
        where.append("l.paid_date >= ?")
        params.append(date_from)
    if date_to:
        where.append("l.paid_date <= ?")
        params.append(date_to)
    sql = _LEDGER_SELECT + (" WHERE " + " AND ".join(where) if where else "")
    return [LedgerEntry(*r) for r in db.conn.execute(sql + " ORDER BY l.paid_date, l.recorded_at, l.rowid", params)]


def entry(db: Database, entry_id: str) -> LedgerEntry | None:
    found = ledger(db, entry_ids=[entry_id])
    return found[0] if found else None


def overrides(db: Database, entry_id: str) -> list[Override]:
    rows = db.conn.execute("SELECT id, entry_id, rule, detail, reason, clerk_id, recorded_at FROM hardship_overrides"
                           " WHERE entry_id = ? ORDER BY rowid", [entry_id])
    return [Override(*r) for r in rows]


def totals(db: Database, file_id: str | None = None, year: str | None = None) -> list[tuple[str, str, str, int, int]]:
    """(year, kind, fund, sum of fen, entries) with reversals netted in."""
    where: list[str] = []
    params: list[Any] = []
    if file_id:
        where.append("file_id = ?")
        params.append(file_id)
    if year:
        where.append("substr(paid_date, 1, 4) = ?")
        params.append(year)
    sql = ("SELECT substr(paid_date, 1, 4) AS y, kind, fund, sum(amount_fen), sum(reverses_id = '')"
           " FROM hardship_ledger" + (" WHERE " + " AND ".join(where) if where else "")
           + " GROUP BY y, kind, fund ORDER BY y, kind, fund")
    return [tuple(r) for r in db.conn.execute(sql, params)]


def latest_rules(db: Database) -> RuleVersion | None:
    row = db.conn.execute("SELECT id, version, rules, note, clerk_id, recorded_at FROM hardship_rules"
                          " ORDER BY version DESC, recorded_at DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return RuleVersion(row[0], row[1], Rules.from_json(row[2]), row[3], row[4], row[5])


def rule_versions(db: Database) -> list[RuleVersion]:
    rows = db.conn.execute("SELECT id, version, rules, note, clerk_id, recorded_at FROM hardship_rules"
                           " ORDER BY version DESC, recorded_at DESC")
    return [RuleVersion(r[0], r[1], Rules.from_json(r[2]), r[3], r[4], r[5]) for r in rows]


def visits(db: Database, file_id: str) -> list[Visit]:
    rows = db.conn.execute("SELECT id, file_id, visit_date, visitors, findings, given, clerk_id, recorded_at"
                           " FROM hardship_visits WHERE file_id = ? ORDER BY visit_date, rowid", [file_id])
    return [Visit(*r) for r in rows]


def consent_kinds(db: Database, member_id: str) -> list[tuple[str, str]]:
    """(kind, subject_id) of the member's consents."""
    return [tuple(r) for r in db.conn.execute("SELECT kind, subject_id FROM consents WHERE member_id = ?", [member_id])]


def attachments(db: Database, file_id: str) -> list[Attachment]:
    rows = db.conn.execute("SELECT id, file_id, kind, name, sha256, size, clerk_id, recorded_at"
                           " FROM hardship_attachments WHERE file_id = ? ORDER BY recorded_at, rowid", [file_id])
    return [Attachment(*r) for r in rows]


def attachment(db: Database, attachment_id: str) -> Attachment | None:
    row = db.conn.execute("SELECT id, file_id, kind, name, sha256, size, clerk_id, recorded_at"
                          " FROM hardship_attachments WHERE id = ?", [attachment_id]).fetchone()
    return Attachment(*row) if row else None
