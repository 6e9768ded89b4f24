"""What every batch command needs: a set-up data folder, dates as a clerk types them, a
member named by record id or ID number, and a printout saved to the file the clerk named."""

from __future__ import annotations

import contextlib
import datetime as _dt
import sys
from typing import Iterator

from ..domain.errors import UserError
from ..services.context import is_uuid


def json_flag(parser) -> None:
    """``--json``: the command prints one JSON document for scripts instead of Chinese lines."""
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")


def open_ready_workspace(args):
    """The data folder of ``--data-dir``, refused (not silently set up) if the laptop was never
    set up: batch commands on cards, events, prints and rosters need the laptop's identity."""
    from .auth import open_cli_workspace

    ws = open_cli_workspace(args.data_dir)
    for notice in ws.health.notices():  # a WAL set aside, a damaged database opened read-only
        print(f"注意：{notice}", file=sys.stderr)
    if not ws.ready:
        folder = ws.folder
        ws.close()
        raise UserError("cli.not_set_up", path=str(folder))
    return ws


@contextlib.contextmanager
def ready_context(args) -> Iterator:
    """``with ready_context(args) as ctx:`` the set-up laptop's context, closed afterwards (and a
    clock warning on stderr when the command wrote something and the clock looks wrong)."""
    ws = open_ready_workspace(args)
    try:
        ctx = ws.context()
        audited = _last_audit(ctx)
        yield ctx
        _warn_clock(ctx, audited)
    finally:
        ws.close()


def _last_audit(ctx) -> int:
    from ..storage.sync_ledger import max_audit_id

    return max_audit_id(ctx.db)


def _warn_clock(ctx, audited: int) -> None:
    """After a command that wrote (a record, or an audit entry: every write makes one of
    them): a line on stderr when the computer's clock looks wrong."""
    from ..services.clock_check import clock_warning

    if ctx.changes.touched or _last_audit(ctx) != audited:
        warning = clock_warning(ctx)
        if warning:
            print(warning, file=sys.stderr)


def parse_date(text: str | None) -> _dt.date | None:
    """``2026-11-01``, ``2026/11/1``, ``2026.11.1``, ``2026年11月1日`` (the roster's own date
    reader, :func:`domain.roster_cells.cell_date`); None for no text."""
    from ..domain.roster_cells import cell_date

    if not text:
        return None
    day, ok = cell_date(text)
    if not ok or day is None:
        raise UserError("cli.bad_date", text=text)
    return day


def member_id(ctx, ref: str, unknown_code: str) -> str:
    """A member by record id (UUID) or by 18-digit ID number. ``unknown_code``: the message
    when there is none (it never echoes a full ID number)."""
    from ..domain.idnumber import check_id, mask
    from ..storage import members_repo

    ref = ref.strip()
    if is_uuid(ref) and members_repo.get(ctx.db, ref.lower()):
        return ref.lower()
    checked = check_id(ref, ctx.today())
    if checked.valid:
        row = members_repo.by_id_number(ctx.db, checked.number)
        if row:
            return row.id
    shown = ref if is_uuid(ref) or len(checked.number) < 10 else mask(checked.number)
    raise UserError(unknown_code, text=shown)


def save_printout(ctx, printout, path: str) -> None:
    """``--out FILE.pdf``: the service records the print, then writes the file; then say what
    was made (warnings first, on stderr)."""
    from ..services.printouts import save_printout as save

    out = save(ctx, printout, path, make_folder=True)
    for warning in printout.warnings:
        print(f"提示：{warning.message}", file=sys.stderr)
    extra = "（含完整号码，已记入审计日志）" if printout.revealed else ""
    print(f"已生成 {out}：{printout.pages} 页{extra}")
