"""``clerk-app members ...``: a member's rights under PIPL from the command line.

``data-copy MEMBER --out FILE.pdf`` writes the member's 个人信息副本 (art. 45; audited);
``erase MEMBER --yes`` erases them everywhere in this database (art. 47; audited). MEMBER is a
record id or an 18-digit ID number; neither command prints a personal value."""

from __future__ import annotations

from .common import member_id, ready_context


def register(sub, common) -> None:
    p = sub.add_parser("members", parents=[common], help="会员个人信息：提供本人副本、删除个人信息")
    cmds = p.add_subparsers(dest="members_command", metavar="ACTION", required=True)

    c = cmds.add_parser("data-copy", parents=[common], help="应本人请求导出其个人信息副本（PDF，记入审计日志）")
    c.add_argument("member", metavar="MEMBER", help="会员记录编号或身份证号码")
    c.add_argument("--out", required=True, metavar="FILE.pdf")
    c.set_defaults(func=_data_copy)

    c = cmds.add_parser("erase", parents=[common],
                        help="删除该会员的全部个人信息（不可恢复；签到记录保留为匿名；记入审计日志）")
    c.add_argument("member", metavar="MEMBER", help="会员记录编号或身份证号码")
    c.add_argument("--reason", choices=("request", "withdrawn_consent", "purpose_ended"), default="request",
                   help="依据：本人请求（默认）、撤回同意、处理目的已实现")
    c.add_argument("--yes", action="store_true", help="确认删除（不加此项则只说明将删除什么，不做任何更改）")
    c.set_defaults(func=_erase)


def _data_copy(args) -> int:
    from ..services import subject_access

    with ready_context(args) as ctx:
        result = subject_access.export_member_data(ctx, member_id(ctx, args.member, "print.member_unknown"), args.out)
    print(f"已导出个人信息副本（{result.pages} 页，含完整号码，已记入审计日志）：{args.out}")
    return 0


def _erase(args) -> int:
    from ..services import erasure

    with ready_context(args) as ctx:
        target = member_id(ctx, args.member, "print.member_unknown")
        if not args.yes:
            print("将删除该会员的全部个人信息（登记信息、会籍记录、同意记录、服务卡），签到记录保留为匿名，"
                  "不可恢复。确认请加 --yes 再运行。")
            return 1
        result = erasure.erase_member(ctx, target, reason=args.reason)
    print(f"已删除该会员的个人信息（{result.rows_deleted} 条记录，{result.sign_ins_anonymised} 条签到改为匿名），"
          "已记入审计日志。")
    if not result.wal_truncated:
        print("提示：另有程序正在读取数据库，日志文件将在下次关闭程序时清理。")
    print("此前制作的备份中仍有该会员的信息，将按备份保留规则到期删除。")
    return 0
