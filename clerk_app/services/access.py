"""Who may do what: the one place a permission check goes (``require(ctx, "reveal")``).

Every service that shows a clerk more than the masked view (a member's full numbers, a printout
with them, a full export) calls :func:`require` before it writes its audit entry; so do clerk,
key and backup management. Roles build on each other: 经办人 registers, issues cards and signs
people in; 负责人 also reveals full ID and phone numbers, exports full lists and edits hardship
files, and at the district merges duplicate persons and decides conflicts; 管理员 also manages clerks, keys and
backups (on a one-clerk laptop that clerk is 管理员 and can do everything). The role is
stored with the clerk in the encrypted database.

Backups: restoring one (window, CLI, and the start-up offer when the database is lost —
services.restore.require_restorer, which reads the role from the current database or, when
that cannot be read, from the backup) and choosing the second backup folder need ``"backup"``.
Making backups does not: the automatic daily and before/after-import backups and a manual
``backup create`` are allowed to every clerk, since they only add encrypted copies and
replace nothing."""

from __future__ import annotations

from ..domain.errors import UserError
from .context import Context

REVEAL = "reveal"  # full ID numbers and phones, on screen, on paper or in an export

CLERK, LEAD, ADMIN = "经办人", "负责人", "管理员"
ROLES = (CLERK, LEAD, ADMIN)

# action -> (the lowest role allowed, what the refusal calls it)
ACTIONS: dict[str, tuple[str, str]] = {
    "register": (CLERK, "登记会员"),
    "reveal": (LEAD, "查看完整号码"),
    "export_full": (LEAD, "导出完整号码"),
    "hardship": (LEAD, "编辑困难职工档案"),
    "hardship_rules": (LEAD, "修改帮扶规则"),
    "merge_persons": (LEAD, "合并或区分重复登记的人员"),
    "resolve_conflicts": (LEAD, "处理同步冲突"),
    "manage_clerks": (ADMIN, "管理经办人"),
    "manage_keys": (ADMIN, "管理密钥"),
    "backup": (ADMIN, "管理备份"),
    "decrypt": (ADMIN, "导出未加密的数据库"),
}


def rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else -1


def allowed(ctx: Context, action: str) -> bool:
    needed, _label = ACTIONS[action]
    return rank(ctx.clerk.role) >= rank(needed)


def require(ctx: Context, action: str) -> None:
    """Raise ``auth.forbidden`` (Chinese, names the role needed) unless the acting clerk may."""
    if not allowed(ctx, action):
        needed, label = ACTIONS[action]
        raise UserError("auth.forbidden", role=ctx.clerk.role, action=label, needed=needed)
