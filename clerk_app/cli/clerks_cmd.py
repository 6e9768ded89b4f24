"""``clerk-app clerks list | add NAME --role ROLE | passwd [NAME] | role NAME ROLE | disable NAME |
recovery-key``: the laptop's clerks, their roles and passwords, and a new recovery key.

Everything but ``list`` and a clerk changing their own password is for a 管理员. A new password
comes from ``CLERK_APP_NEW_PASSWORD`` or is typed twice; no command re-encrypts the database."""

from __future__ import annotations


from ..domain.errors import UserError

ENV_NEW_PASSWORD = "CLERK_APP_NEW_PASSWORD"


def register(sub, common) -> None:
    from ..services.access import ROLES

    p = sub.add_parser("clerks", parents=[common], help="经办人：列表、添加、改密码、角色、停用、新的恢复密钥")
    actions = p.add_subparsers(dest="clerks_action", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="列出经办人和角色").set_defaults(func=run_list)
    a = actions.add_parser("add", parents=[common], help="添加经办人（仅管理员）")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--role", required=True, choices=ROLES)
    a.set_defaults(func=run_add)
    w = actions.add_parser("passwd", parents=[common], help="改密码（自己的，或管理员改别人的）")
    w.add_argument("name", metavar="NAME", nargs="?")
    w.set_defaults(func=run_passwd)
    r = actions.add_parser("role", parents=[common], help="改角色（仅管理员）")
    r.add_argument("name", metavar="NAME")
    r.add_argument("role", choices=ROLES)
    r.set_defaults(func=run_role)
    d = actions.add_parser("disable", parents=[common], help="停用经办人（仅管理员；其审计记录保留）")
    d.add_argument("name", metavar="NAME")
    d.set_defaults(func=run_disable)
    actions.add_parser("recovery-key", parents=[common],
                       help="换一个恢复密钥（仅管理员；旧的作废）").set_defaults(func=run_recovery)


def _new_password() -> str:
    from .auth import new_password

    return new_password(ENV_NEW_PASSWORD, "新密码（至少 8 位）：")


def _session(args):
    from .common import open_ready_workspace

    ws = open_ready_workspace(args)
    return ws, ws.context()


def _by_name(ctx, name: str):
    from ..services.clerks import list_clerks

    for row in list_clerks(ctx):
        if row.name == name.strip() and row.active:
            return row
    raise UserError("auth.no_such_clerk", name=name)


def run_list(args) -> int:
    from ..services.clerks import list_clerks

    ws, ctx = _session(args)
    try:
        for row in list_clerks(ctx):
            state = "" if row.active else "（已停用）"
            print(f"{row.name}\t{row.role}{state}")
    finally:
        ws.close()
    return 0


def run_add(args) -> int:
    from ..services import clerks

    password = _new_password()
    ws, ctx = _session(args)
    try:
        from ..services.setup import password_issues

        issues = password_issues(password)
        if issues:
            raise UserError(issues[0].code, **issues[0].params)
        clerk_id = clerks.add_clerk(ctx, args.name, args.role)
        ws.add_login(clerk_id, args.name.strip(), password)
        print(f"已添加经办人“{args.name.strip()}”（{args.role}）")
    finally:
        ws.close()
    return 0


def run_passwd(args) -> int:
    from ..services.access import require

    password = _new_password()
    ws, ctx = _session(args)
    try:
        target = _by_name(ctx, args.name) if args.name else None
        if target is not None and target.id != ctx.clerk.id:
            require(ctx, "manage_clerks")
        target_id, name = (target.id, target.name) if target else (ctx.clerk.id, ctx.clerk.name)
        ws.add_login(target_id, name, password)
        from ..storage.db import transaction

        with transaction(ctx.db):
            ctx.audit("password", "clerk", target_id)
        print(f"已更改“{name}”的密码（数据库无需重新加密）")
    finally:
        ws.close()
    return 0


def run_role(args) -> int:
    from ..services import clerks

    ws, ctx = _session(args)
    try:
        clerks.set_role(ctx, _by_name(ctx, args.name).id, args.role)
        print(f"“{args.name.strip()}”的角色已改为{args.role}")
    finally:
        ws.close()
    return 0


def run_disable(args) -> int:
    from ..services import clerks

    ws, ctx = _session(args)
    try:
        row = _by_name(ctx, args.name)
        clerks.deactivate(ctx, row.id)
        ws.remove_login(row.id)
        print(f"已停用经办人“{row.name}”：不能再登录，其审计记录保留")
    finally:
        ws.close()
    return 0


def run_recovery(args) -> int:
    from ..services.access import require
    from ..storage.db import transaction
    from .auth import print_recovery_code

    ws, ctx = _session(args)
    try:
        require(ctx, "manage_keys")
        with transaction(ctx.db):
            ctx.audit("recovery_key", "keys", "")
        print_recovery_code(ws.new_recovery_code())
        print("旧的恢复密钥已作废。")
    finally:
        ws.close()
    return 0
