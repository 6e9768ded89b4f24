"""What every document function returns: the PDF and what the caller must know about it."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import Cancelled  # noqa: F401 - printing imports it from here
from .fonts import PrintWarning

CARD, CARD_SHEET, REGISTRATION_FORM, REGISTRATION_FORM_BLANK, MEMBER_ROSTER = (
    "card", "card_sheet", "registration_form", "registration_form_blank", "member_roster")


@dataclass(frozen=True)
class PrintResult:
    """A finished document.

    ``warnings``: show them to the clerk before the PDF goes to a printer (e.g. a name with a
    character the font lacks would print blank). ``revealed``: full ID numbers or phone
    numbers are on the paper; ``services.printouts`` records that (``audit_detail``) before
    the document leaves the app.
    """

    pdf: bytes
    document: str
    pages: int
    items: int = 0
    warnings: tuple[PrintWarning, ...] = ()
    revealed: bool = False

    def audit_detail(self) -> dict:
        """Audit detail without personal values: which document, how big, masked or not."""
        return {"document": self.document, "pages": self.pages, "items": self.items,
                "reveal": self.revealed, "warnings": len(self.warnings)}
