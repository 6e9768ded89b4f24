"""The audit trail as the clerk and the supervisor see it: verify it (at start-up, from the
menu, from ``clerk-app audit verify``) and read its anchor (printed on supervisor reports and
carried in sync packages, so a copy of the count and latest hash lives off this laptop)."""

from __future__ import annotations

from sqlite_utils import Database

from ..storage.audit import ChainAnchor, ChainCheck, chain_anchor, check_chain

__all__ = ["ChainAnchor", "ChainCheck", "anchor", "anchor_text", "verify"]


def verify(db: Database) -> ChainCheck:
    """Every entry's hash, every link, and the anchor. Reads only."""
    return check_chain(db)


def anchor(db: Database) -> ChainAnchor:
    return chain_anchor(db)


def anchor_text(a: ChainAnchor) -> str:
    """One line a supervisor can copy from a report and compare later."""
    return f"审计锚点：本机 {a.site_id[:8]}，共 {a.count} 条，最新校验值 {a.last_hash[:16] or '（无）'}"
