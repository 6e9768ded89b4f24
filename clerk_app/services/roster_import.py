"""Importing a roster: read → propose mapping → preview → commit (with progress and cancel).

Each step is a separate call so the import window can show the mapping for the clerk to
confirm, then the preview with every row that cannot be imported and why, and only then,
on the clerk's confirmation, save the good rows as ONE transaction:

    table = read_roster(path)                       # ImportRejected for unusable files
    proposal = suggest_mapping(ctx.db, table.headers)
    preview = build_preview(ctx, table, proposal.mapping, ImportOptions(...))   # read-only
    result = commit_import(ctx, preview, progress=..., cancel=...)
    write_error_file(ctx, "errors.xlsx", preview, result)   # bad rows + 错误原因, to fix and re-import

Row checks reuse :func:`clerk_app.domain.member.validate_member` in its roster mode: a
member needs a name, a valid ID number, the union and a lawful basis — the roster handed
over by their union (consent method 名单移交, its file and union as the basis). Whatever
else of the 登记表 a row lacks (phone, 民族, 职业, join date) it is saved 资料待补全, with the
missing fields named. Join dates are never made up: from the column, one date the clerk
states, or unknown. This module adds what is particular to files (numbers that were IDs,
dates as text, 合计 lines under the list, duplicates within the file, members already
registered).
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..domain import vocab
from ..domain.errors import Issue, UserError
from ..domain.messages import message
from ..domain.idnumber import check_id, mask
from ..domain.member import MemberInput, missing_labels, validate_member
from ..domain.roster_cells import cell_date, cell_text, id_stored_as_number, summary_row
from ..domain.roster_columns import (
    CHECK_ONLY,
    FIELD_LABELS,
    ColumnMapping,
    ImportRejected,
    header_signature,
    missing_required,
    propose_mapping,
)
from ..sheets.roster_files import RosterTable, read_roster
from ..storage import members_repo as repo
from ..storage.db import transaction
from ..storage.meta import get_meta, set_meta
from . import backups
from .context import Context
from .members import Cancelled, register_many
from .unions import list_unions

__all__ = ["read_roster", "suggest_mapping", "remember_mapping", "build_preview", "commit_import",
           "write_error_file", "ImportOptions", "ImportPreview", "ImportResult", "Cancelled", "ImportRejected",
           "JOIN_FROM_COLUMN", "JOIN_STATED", "JOIN_UNKNOWN"]

MAPPING_KEY = "roster_mapping:"
ERROR_COLUMN = "错误原因"
_DATE_FIELDS = ("join_date", "birth_date")
_CHANNEL_WORDS = {
    **{label: code for code, label in vocab.JOIN_CHANNELS.items()},
    **{code: code for code in vocab.JOIN_CHANNELS},
    "现场": "onsite", "扫码": "qr", "i会员": "qr", "北京工会i会员": "qr", "转入": "transfer_in",
    "单位": "unit", "集体入会": "unit", "单位入会": "unit", "其他": "other",
}

Progress = Callable[[int, int], None]

# Python's cycle collector would walk the file's cells and the preview's objects again and
# again while they are built and saved (about a tenth of a 50k-row import). While the preview
# is built (every _FREEZE_EVERY rows) and while it is saved, what exists is moved out of its
# sight (gc.freeze; refcounting still frees it as usual), and handed back at the end of each
# call (gc.unfreeze), so nothing stays hidden from the collector between calls.
_FREEZE_EVERY = 5_000

# Where the join dates come from (the import never makes one up).
JOIN_FROM_COLUMN, JOIN_STATED, JOIN_UNKNOWN = "column", "stated", "unknown"
JOIN_DATE_MODES = {JOIN_FROM_COLUMN: "入会日期取自表中的列（空白的为未知）",
                   JOIN_STATED: "入会日期统一为{date}", JOIN_UNKNOWN: "入会日期未知"}
# 性别 as rosters write it (GB/T 2261.1 codes too); anything else is worth a look.
_GENDER_WORDS = {"男": "男", "男性": "男", "m": "男", "male": "男", "1": "男",
                 "女": "女", "女性": "女", "f": "女", "female": "女", "2": "女"}


@dataclass(frozen=True)
class MappingProposal:
    mapping: ColumnMapping
    remembered: bool  # True: the clerk confirmed this mapping for the same header row before


@dataclass
class ImportOptions:
    """Choices the clerk makes once for the whole file."""

    union_id: str = ""                # empty: this laptop's union
    join_channel: str = "other"       # for rows without a 入会方式 cell
    defaults: dict[str, str] = field(default_factory=dict)  # field -> text for empty cells
    # A roster handed over by the members' union is its own recorded basis for holding the
    # data (名单移交) — not a signature nobody saw.
    consent_method: str = vocab.ROSTER_CONSENT
    allow_possible_duplicates: bool = False  # same name + birth date as someone else
    # JOIN_FROM_COLUMN | JOIN_STATED (``join_date`` for every row) | JOIN_UNKNOWN;
    # "" = from the column if one is mapped, else unknown.
    join_date_mode: str = ""
    join_date: _dt.date | None = None

    def join_mode_for(self, mapping: ColumnMapping) -> str:
        if self.join_date_mode:
            return self.join_date_mode
        return JOIN_FROM_COLUMN if mapping.column_of("join_date") is not None else JOIN_UNKNOWN


@dataclass(slots=True)
class GoodRow:
    row: int
    member: MemberInput
    cells: list[object] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # what validate_member made of ``member`` (saved as is)

    @property
    def missing(self) -> list[str]:
        """Labels of the 登记表 fields this row leaves empty (saved as 资料待补全)."""
        return missing_labels(self.values.get("missing_fields"))


@dataclass(slots=True)
class BadRow:
    row: int
    cells: list[object]
    issues: list[Issue]

    @property
    def reason(self) -> str:
        return "；".join(dict.fromkeys(i.message for i in self.issues))


@dataclass(slots=True)
class SkippedRow:
    """A row that is not a member (合计/总计/小计 lines, a lone count under the list)."""

    row: int
    cells: list[object]
    reason: str = field(default_factory=lambda: message("roster.summary_row"))


@dataclass
class ImportPreview:
    table: RosterTable
    mapping: ColumnMapping
    options: ImportOptions
    today: _dt.date
    good: list[GoodRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    basis: str = ""  # recorded with each member's consent row

    @property
    def total(self) -> int:
        """Member rows (good and bad); skipped summary rows are not members."""
        return len(self.good) + len(self.bad)

    @property
    def incomplete(self) -> list[GoodRow]:
        return [g for g in self.good if g.values.get("missing_fields")]


@dataclass
class ImportResult:
    saved: list[str]        # new member ids
    bad: list[BadRow]       # the preview's bad rows plus any refused at commit time
    total: int
    backup_warnings: list[str] = field(default_factory=list)  # e.g. the USB stick was not there


def _mapping_key(headers: list[str]) -> str:
    return MAPPING_KEY + header_signature(headers)


def suggest_mapping(db, headers: list[str]) -> MappingProposal:
    """The mapping confirmed last time for this header row, else one proposed from the names."""
    stored = get_meta(db, _mapping_key(headers))
    if stored:
        try:
            mapping = ColumnMapping.from_json(json.loads(stored), len(headers))
        except ValueError:
            mapping = None
        if mapping is not None and mapping.columns:
            return MappingProposal(mapping, True)
    return MappingProposal(propose_mapping(headers), False)


def ids_of_roster(ctx: Context, path, sheet: str | None = None) -> tuple[list[str], int]:
    """The members a roster file lists (an imported 花名册), found by the ID numbers in its
    ID-number column, in the file's order: (member ids, rows whose number is no member's)."""
    table = read_roster(path, sheet)
    column = suggest_mapping(ctx.db, table.headers).mapping.column_of("id_number")
    if column is None:
        raise UserError("roster.missing_columns", labels="身份证号码")
    ids, unknown, today = [], 0, ctx.today()
    for _row, cells in table.rows:
        cell = cells[column] if column < len(cells) else None
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        found = repo.by_id_number(ctx.db, check_id(text, today).number or text.upper())
        if found:
            ids.append(found.id)
        else:
            unknown += 1
    return list(dict.fromkeys(ids)), unknown


def remember_mapping(db, headers: list[str], mapping: ColumnMapping) -> None:
    with transaction(db):
        set_meta(db, _mapping_key(headers), json.dumps(mapping.to_json(), sort_keys=True))


def _channel_code(text: str) -> str | None:
    key = "".join(text.split())
    return _CHANNEL_WORDS.get(key) or _CHANNEL_WORDS.get(key.replace("入会", ""))


def _plan(mapping: ColumnMapping) -> list[tuple[str, int | None]]:
    """(field, column or None) for every field, looked up once per file rather than per row."""
    return [(fname, mapping.column_of(fname)) for fname in FIELD_LABELS]


def _row_input(cells: list[object], mapping: ColumnMapping, opts: ImportOptions, union_id: str,
               join_mode: str = JOIN_FROM_COLUMN,
               plan: list[tuple[str, int | None]] | None = None) -> tuple[MemberInput, list[Issue], dict[str, str]]:
    """The registration form one row fills, the file-level problems found on the way, and
    the check-only cells (gender, birth date) as text. ``plan``: :func:`_plan` of ``mapping``."""
    issues: list[Issue] = []
    values: dict[str, object] = {}
    checks: dict[str, str] = {}
    for fname, index in plan or _plan(mapping):
        cell = cells[index] if index is not None and index < len(cells) else None
        if fname == "id_number" and cell is not None and id_stored_as_number(cell):
            issues.append(Issue("id_number", "roster.id_is_number"))
            continue
        text = cell_text(cell).strip() if cell is not None else ""
        if not text:
            text = opts.defaults.get(fname, "")
        if fname in CHECK_ONLY:
            if fname == "birth_date" and text:
                day, ok = cell_date(cell if cell_text(cell).strip() else text)
                text = day.isoformat() if ok and day else text
            checks[fname] = text
        elif fname == "join_date":
            if join_mode != JOIN_FROM_COLUMN:  # the clerk stated one date, or said it is unknown
                values["join_date"] = opts.join_date if join_mode == JOIN_STATED else None
                continue
            day, ok = cell_date(cell if cell is not None and cell_text(cell).strip() else text)
            if not ok:
                issues.append(Issue("join_date", "roster.bad_date", {"label": FIELD_LABELS[fname], "value": text}))
            values["join_date"] = day
        elif fname == "join_channel":
            code = _channel_code(text) if text else opts.join_channel
            if code is None:
                issues.append(Issue("join_channel", "member.bad_choice", {"label": FIELD_LABELS[fname]}))
                code = opts.join_channel
            values["join_channel"] = code
        else:
            values[fname] = text
    inp = MemberInput(union_id=union_id, consent_method=opts.consent_method, **values)
    return inp, issues, checks


def _year_month_day(text: str) -> str:
    """Digits of a date as written, zero-padded: "1990年3月" -> "199003", "1990-3-7" -> "19900307"."""
    parts = re.findall(r"\d+", text)
    if len(parts) == 1:
        return parts[0]
    return "".join(p if i == 0 else p.zfill(2) for i, p in enumerate(parts[:3]))


def _consistency(checks: dict[str, str], clean_values: dict) -> list[Issue]:
    """Gender and birth date columns are derived from the ID number; a different value is
    worth a warning (the ID wins), not a rejection."""
    warnings = []
    given = checks.get("gender", "")
    said = _GENDER_WORDS.get("".join(given.split()).lower()) if given else None
    if given and said != clean_values["gender"]:
        warnings.append(Issue("gender", "roster.gender_mismatch",
                              {"given": given, "derived": clean_values["gender"]}))
    born = checks.get("birth_date", "")
    digits = _year_month_day(born)
    if born and (len(digits) < 6 or not clean_values["birth_date"].replace("-", "").startswith(digits)):
        warnings.append(Issue("birth_date", "roster.birth_mismatch",
                              {"given": born, "derived": clean_values["birth_date"]}))
    return warnings


def build_preview(ctx: Context, table: RosterTable, mapping: ColumnMapping, options: ImportOptions | None = None,
                  *, today: _dt.date | None = None, progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None) -> ImportPreview:
    """Every row checked against the rules and the database (read-only); nothing is saved."""
    opts = options or ImportOptions()
    missing = missing_required(mapping)
    if missing:
        raise ImportRejected("roster.missing_columns", labels="、".join(missing))
    bad_default = [f for f in opts.defaults if f not in FIELD_LABELS]
    if bad_default:
        raise ImportRejected("roster.mapping_invalid", detail="未知字段 " + "、".join(bad_default))
    today = today or ctx.today()
    union_id = opts.union_id or ctx.home_union_id
    union = next((u for u in list_unions(ctx) if u.id == union_id), None)
    if union is None:
        raise ImportRejected("member.union_required")
    join_mode = opts.join_mode_for(mapping)
    if join_mode not in JOIN_DATE_MODES or (join_mode == JOIN_STATED and opts.join_date is None):
        raise ImportRejected("roster.join_date_mode")
    if join_mode == JOIN_STATED and opts.join_date > today:
        raise ImportRejected("roster.join_date_future", date=opts.join_date.isoformat())
    basis = message("roster.consent_basis", union=union.name, file=table.source or "花名册")
    preview = ImportPreview(table=table, mapping=mapping, options=opts, today=today, basis=basis)
    plan = _plan(mapping)
    gc.freeze()  # the file's cells
    try:
        _check_rows(ctx, table, mapping, opts, union_id, join_mode, plan, preview, today, progress, cancel)
    finally:
        gc.unfreeze()
    return preview


def _check_rows(ctx: Context, table: RosterTable, mapping: ColumnMapping, opts: ImportOptions, union_id: str,
                join_mode: str, plan, preview: ImportPreview, today: _dt.date, progress: Progress | None,
                cancel: Callable[[], bool] | None) -> None:
    id_col = mapping.column_of("id_number")
    summaries = _summary_rows(table, id_col)
    candidates: list[tuple[int, list[object], MemberInput, dict, list[Issue]]] = []
    problems: dict[int, list[Issue]] = {}
    total = len(table.rows)
    for n, (row_no, cells) in enumerate(table.rows):
        if n % 200 == 0:
            if n % _FREEZE_EVERY == 0:
                gc.freeze()
            if cancel is not None and cancel():
                raise Cancelled()
            if progress is not None:
                progress(n, total)
        if n in summaries:
            preview.skipped.append(SkippedRow(row_no, cells))
            continue
        inp, issues, checks = _row_input(cells, mapping, opts, union_id, join_mode, plan)
        clean, invalid = validate_member(inp, today, roster=True)
        if issues and any(i.code == "roster.id_is_number" for i in issues):
            invalid = [i for i in invalid if i.field != "id_number"]
        issues += invalid
        if clean is None or issues:
            problems[n] = issues
            candidates.append((n, cells, inp, {}, []))
            continue
        warnings = list(clean.warnings) + _consistency(checks, clean.values)
        candidates.append((n, cells, inp.copy(name=clean.values["name"]), clean.values, warnings))
    _duplicates(ctx, table, candidates, problems, opts.allow_possible_duplicates)
    for n, cells, inp, values, warnings in candidates:
        row_no = table.rows[n][0]
        if n in problems:
            preview.bad.append(BadRow(row_no, cells, problems[n]))
        else:
            preview.good.append(GoodRow(row_no, inp, cells, warnings, values))
    if progress is not None:
        progress(total, total)


def _summary_rows(table: RosterTable, id_col: int | None) -> set[int]:
    """Indexes of the rows that are totals, not members (a lone count only below the last
    row that is anything else)."""
    found: set[int] = set()
    at_bottom = True
    for n in range(len(table.rows) - 1, -1, -1):
        if summary_row(table.rows[n][1], id_col, at_bottom=at_bottom):
            found.add(n)
        else:
            at_bottom = False
    return found


def _duplicates(ctx: Context, table: RosterTable, candidates: list, problems: dict[int, list[Issue]],
                allow_possible: bool) -> None:
    """Duplicates within the file (every row of a group names the others) and in the database."""
    by_id: dict[str, list[int]] = defaultdict(list)
    by_person: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, _cells, _inp, values, _w in candidates:
        if values:
            by_id[values["id_number"]].append(n)
            by_person[(values["name"], values["birth_date"])].append(n)
    for groups, code in ((by_id.values(), "roster.dup_in_file"), (() if allow_possible else by_person.values(),
                                                                  "roster.possible_dup_in_file")):
        for group in groups:
            if code == "roster.possible_dup_in_file":
                group = [n for n in group if n not in problems]
                ids = {candidates[n][3]["id_number"] for n in group}
                if len(ids) < 2:
                    continue
            if len(group) < 2:
                continue
            for n in group:
                others = "、".join(str(table.rows[m][0]) for m in group if m != n)
                problems.setdefault(n, []).append(Issue("id_number", code, {"other": others}))
    # against the database: one query per kind for the whole file, not two per row
    todo = [(n, values) for n, _cells, _inp, values, _w in candidates if values and n not in problems]
    registered = repo.by_id_numbers(ctx.db, (v["id_number"] for _n, v in todo))
    people = {} if allow_possible else \
        repo.by_names_births(ctx.db, ((v["name"], v["birth_date"]) for _n, v in todo))
    for n, values in todo:
        existing = registered.get(values["id_number"])
        if existing is not None:
            problems[n] = [Issue("id_number", "roster.already_registered", {
                "name": existing.name, "id": mask(existing.id_number), "union": existing.union_name})]
        elif not allow_possible:
            same = people.get((values["name"], values["birth_date"]))
            if same:
                problems[n] = [Issue("name", "member.possible_duplicate", {"names": "、".join(m.name for m in same)})]


def commit_import(ctx: Context, preview: ImportPreview, *, progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None) -> ImportResult:
    """Save the preview's good rows as one transaction (a cancel rolls all of it back),
    remember the confirmed mapping, and write one 'import' audit entry with the counts.

    A backup is taken before (if it fails, e.g. the disk is full, nothing is imported) and
    after the import (services.backups); their warnings come back in the result."""
    try:
        return _commit(ctx, preview, progress, cancel)
    finally:
        gc.unfreeze()  # everything goes back to the collector


def _commit(ctx: Context, preview: ImportPreview, progress: Progress | None,
            cancel: Callable[[], bool] | None) -> ImportResult:
    gc.freeze()  # the file, the preview and whatever else exists now
    warnings = backups.around_import(ctx, "before-import")
    inputs = [g.member for g in preview.good]
    bad = list(preview.bad)
    # The preview validated every good row (with the same ``today``); the save does not repeat
    # it, only the duplicate checks, which depend on the database as it is now.
    validated = [g.values for g in preview.good] if all(g.values for g in preview.good) else None

    def step(done: int, total: int) -> None:
        if done % _FREEZE_EVERY == 0:
            gc.freeze()  # what the save has built so far (its duplicate maps grow with it)
        if progress is not None:
            progress(done, total)

    with transaction(ctx.db):
        bulk = register_many(ctx, inputs, chunk=None, today=preview.today, progress=step, cancel=cancel,
                             confirm_possible_duplicates=preview.options.allow_possible_duplicates,
                             validated=validated, roster=True, basis=preview.basis)
        for index, issues in bulk.rejected:  # changed since the preview (another window, a sync)
            good = preview.good[index]
            bad.append(BadRow(good.row, good.cells, issues))
        remember_mapping(ctx.db, preview.table.headers, preview.mapping)
        refused = {index for index, _issues in bulk.rejected}
        incomplete = sum(1 for i, g in enumerate(preview.good) if i not in refused and g.values.get("missing_fields"))
        ctx.audit("import", "members", "", rows=preview.total, saved=len(bulk.saved), rejected=len(bad),
                  source=preview.table.kind, skipped=len(preview.skipped), incomplete=incomplete)
    bad.sort(key=lambda b: b.row)
    if bulk.saved:
        warnings += backups.around_import(ctx, "after-import", required=False)
    return ImportResult(saved=bulk.saved, bad=bad, total=preview.total, backup_warnings=warnings)


def write_error_file(ctx: Context, path: str | Path, preview: ImportPreview,
                     result: ImportResult | None = None) -> int:
    """The rows that were not imported, as the clerk's own columns plus 错误原因 (all text),
    to fix and import again. Returns the number of rows written."""
    from ..sheets.xlsx_writer import export_rows

    bad = result.bad if result is not None else preview.bad
    headers = list(preview.table.headers)
    columns = [h or f"第{i + 1}列" for i, h in enumerate(headers)] + [ERROR_COLUMN]
    rows = [[cell_text(c) for c in b.cells] + [b.reason] for b in bad]
    from .reveal import audit_or_refuse

    # full ID numbers as the clerk's file had them: recorded before the file exists
    audit_or_refuse(ctx, "导出", "export", "roster_errors", "", count=len(rows))
    export_rows(path, columns, rows, text_columns=range(len(columns)))
    return len(rows)
