"""``clerk-app db decrypt --out PLAIN.db``: an unencrypted copy of the database for inspection
by district IT (管理员 only; audited before the file is written). ``clerk-app db check``: the
full integrity check (:func:`clerk_app.cli.backup_cmd.run_check`)."""

from __future__ import annotations

from ..domain.errors import UserError


def register(sub, common) -> None:
    from .backup_cmd import run_check

    p = sub.add_parser("db", parents=[common], help="数据库：完整性检查；导出未加密副本（仅管理员，记入审计日志）")
    actions = p.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    d = actions.add_parser("decrypt", parents=[common], help="把整个数据库另存为未加密的 SQLite 文件")
    d.add_argument("--out", required=True, metavar="PLAIN.db", help="输出文件（不能已存在）")
    d.set_defaults(func=run_decrypt)
    ck = actions.add_parser("check", parents=[common],
                            help="完整性检查（integrity_check + foreign_key_check），不做任何修改")
    ck.set_defaults(func=run_check)


def run_decrypt(args) -> int:
    from ..services.database import decrypt_copy
    from .common import ready_context

    with ready_context(args) as ctx:
        try:
            target = decrypt_copy(ctx, args.out)
        except FileExistsError:
            raise UserError("cli.out_exists", path=args.out) from None
    print(f"已写出未加密的数据库副本（含全部个人信息，用完请删除）：{target}")
    return 0
