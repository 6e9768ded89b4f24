"""Printouts as services: every document the window and the CLI print is made here
(:mod:`.documents`) and leaves the app only through here — saved to a file, sent to a printer,
or remade with full numbers — each time behind an audit entry.

Opening a preview is not printing: only a document sent to a printer or saved to a file is
recorded (action ``print``), with the document kind, its size, whether full ID numbers or
phones were on it (``reveal``), and where it went — never a personal value. Showing full
numbers is recorded when it happens (action ``reveal``), before the revealed document exists.

The audit entry comes first: when it cannot be written (a locked or read-only database) the
file is not written and the revealed document is not made — a file of full ID numbers never
exists without the entry that says who made it."""

from __future__ import annotations

import datetime as _dt
import errno
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from ..domain import card as lifecycle
from ..domain.cardno import grouped
from ..domain.errors import UserError, os_error_detail
from ..domain.idnumber import age_on
from . import cards
from .context import Context
from .reveal import audit_or_refuse, audit_reveal

if TYPE_CHECKING:  # reportlab is imported only when something is printed
    from ..printing.cards import CardFace
    from ..printing.fonts import PrintWarning
    from ..printing.layout import Imprint
    from ..printing.result import PrintResult
    from ..printing.roster import RosterLine

PAGE_SIZE = 500  # cards fetched per query when collecting a batch
FILE, PRINTER = "file", "printer"  # where a printout went (the audit's ``output``)


@dataclass(frozen=True)
class Printout:
    """A document ready to preview, save or print: the PDF (``result``) and what its audit
    entry names. ``remake(reveal)`` makes the same document again — with full numbers when
    ``reveal`` — for documents that can show them (None for the others)."""

    result: PrintResult
    entity: str
    entity_id: str = ""
    title: str = "打印预览"
    file_name: str = "文档.pdf"
    audit_extra: Mapping[str, object] = field(default_factory=dict)
    remake: Callable[[bool], PrintResult] | None = field(default=None, compare=False, repr=False)
    revealable_fields: str = "id_number,phone"  # what the full-number version shows

    @property
    def pdf(self) -> bytes:
        return self.result.pdf

    @property
    def document(self) -> str:
        return self.result.document

    @property
    def pages(self) -> int:
        return self.result.pages

    @property
    def items(self) -> int:
        return self.result.items

    @property
    def warnings(self) -> tuple[PrintWarning, ...]:
        return self.result.warnings

    @property
    def revealed(self) -> bool:
        return self.result.revealed

    @property
    def can_reveal(self) -> bool:
        return self.remake is not None


def file_safe(text: str, fallback: str = "会员") -> str:
    """A name usable in a file name on Windows (no \\ / : * ? " < > |)."""
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|').strip() or fallback


# ---------------------------------------------------------------- out of the app, audited

def record_print(ctx: Context, printout: Printout, output: str, pages: int | None = None) -> None:
    """The audit entry of a printout leaving the app (``output``: FILE or PRINTER; ``pages``:
    when fewer than all were chosen). Called before the pages go out; raises ``UserError``
    when it cannot be written, and then nothing may go out."""
    extra = dict(printout.audit_extra, output=output)
    if pages is not None and pages != printout.pages:
        extra["pages_printed"] = pages
    what = "保存文件" if output == FILE else "打印"
    audit_or_refuse(ctx, what, "print", printout.entity, printout.entity_id, **printout.result.audit_detail(), **extra)


def _save_failed(out: Path, exc: OSError) -> UserError:
    """A place that cannot be written (a folder, no permission, a full disk) is the clerk's to
    change: a Chinese message, not a traceback."""
    return UserError("print.save_failed", path=str(out), detail=os_error_detail(exc))


def write_file(path: str | Path, data: bytes, *, before: Callable[[], None] | None = None,
               make_folder: bool = False) -> Path:
    """Write ``data`` to ``path`` through ``<name>.part``, so a failed write leaves no half file.

    ``before()`` (the audit entry) runs once the place has proved writable — an empty ``.part``
    made, no data in it yet — and before any byte is written: if it raises, the empty part is
    removed and nothing was written; a folder that does not exist costs no audit entry.
    ``make_folder``: create a missing folder (a command line's ``--out``) rather than refuse."""
    out = Path(path)
    tmp = out.with_name(out.name + ".part")
    try:
        if out.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(out))
        if make_folder:
            out.parent.mkdir(parents=True, exist_ok=True)
        tmp.touch()
    except OSError as exc:
        raise _save_failed(out, exc) from None
    try:
        if before is not None:
            before()
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _save_failed(out, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def save_printout(ctx: Context, printout: Printout, path: str | Path, *, make_folder: bool = False) -> Path:
    """另存为PDF / ``--out``: the audit entry, then the file (see the module's note)."""
    return write_file(path, printout.pdf, before=lambda: record_print(ctx, printout, FILE), make_folder=make_folder)


def reveal_printout(ctx: Context, printout: Printout) -> Printout:
    """显示完整号码 in the preview: the same document with full numbers, audited now."""
    if printout.remake is None:
        raise ValueError(f"{printout.result.document} has no full-number version")
    if printout.revealed:
        return printout
    audit_reveal(ctx, printout.entity, printout.entity_id, "显示完整号码", fields=printout.revealable_fields,
                 document=printout.result.document)
    return replace(printout, result=printout.remake(True))


def masked_printout(printout: Printout) -> Printout:
    """Back to the masked document (no audit: nothing more is shown)."""
    if printout.remake is None or not printout.revealed:
        return printout
    return replace(printout, result=printout.remake(False))


# ---------------------------------------------------------------- shared pieces

def imprint(ctx: Context) -> Imprint:
    """"打印：<经办人> <时间>" for the page footer."""
    from ..printing.layout import Imprint

    return Imprint(ctx.clerk.name, ctx.clock.now().replace(microsecond=0))


def card_face(card: cards.Card) -> CardFace:
    """What is printed on ``card``: union, holder, number (QR compact, text grouped), date."""
    from ..printing.cards import CardFace

    return CardFace(union_name=card.holder.union_name, holder_name=card.holder.name, card_no=card.card_no,
                    issue_date=_dt.date.fromisoformat(card.issue_date[:10]), display_no=card.grouped_no)


def require_active(card: cards.Card) -> None:
    """Only an active card prints (a lost or cancelled one must not circulate again)."""
    if not card.is_active:
        raise UserError("print.card_not_active", card_no=card.grouped_no, status=card.status_label)


def active_cards(ctx: Context, since: _dt.date | None = None, until: _dt.date | None = None) -> list[cards.Card]:
    """Every active card issued in the date range, oldest first (the order they were handed out)."""
    found: list[cards.Card] = []
    offset = 0
    while True:
        page = cards.list_cards(ctx, status=lifecycle.ACTIVE, date_from=since, date_to=until,
                                limit=PAGE_SIZE, offset=offset)
        found += page.rows
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            break
    return sorted(found, key=lambda c: (c.issue_date, c.issued_at, c.card_no))


def roster_lines(ctx: Context, query: str = "") -> list[RosterLine]:
    """The members page's list for ``query`` (everyone when empty) as the 花名册 prints it:
    ID number and phone masked, age (on the clerk's today) instead of the birth date, the
    open service card. Read in one query with the cards (see ``roster_export.member_records``)."""
    from ..printing.roster import RosterLine
    from .roster_export import member_records

    today = ctx.today()
    out = []
    for rec in member_records(ctx, query):
        m = rec.member
        birth = m.birth_date or ""
        age = str(age_on(_dt.date.fromisoformat(birth[:10]), today)) if len(birth) >= 10 else ""
        card = grouped(rec.card_no) if rec.card_no else ""
        if card and rec.card_status == lifecycle.LOST:
            card += "（已挂失）"
        workplace = "／".join(v for v in (m.employer or "", m.platform or "") if v)
        out.append(RosterLine(m.name, m.gender, age, m.id_number_masked, m.phone_masked, m.occupation or "",
                              workplace, m.union_name or "", m.join_date or "", m.status_label, card))
    return out


def home_union_name(ctx: Context) -> str:
    from .unions import list_unions

    return next((u.name for u in list_unions(ctx) if u.id == ctx.home_union_id), "")
