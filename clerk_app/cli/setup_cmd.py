"""``clerk-app setup --laptop NAME --union NAME --clerk NAME [--union-type KIND] [--card-code CODE]``:
the first-run set-up without the window, for district IT preparing laptops and for scripts.
The first clerk's password comes from ``CLERK_APP_PASSWORD`` or is typed twice; the recovery key
is printed once.

A folder that is already set up is refused and left as it was: a second set-up would give the
laptop a new identity (site id) and split its records from the ones it already sent."""

from __future__ import annotations

from ..domain.errors import UserError


def register(sub, common) -> None:
    from ..domain.vocab import UNION_KINDS
    from ..services.setup import SetupInput

    p = sub.add_parser("setup", parents=[common], help="初始设置（不打开窗口）：本机名称、所属工会、经办人")
    p.add_argument("--laptop", required=True, metavar="NAME", help="本机名称，如 黄村镇总工会1号机")
    p.add_argument("--union", required=True, metavar="NAME", help="本机所属工会名称")
    p.add_argument("--clerk", required=True, metavar="NAME", help="经办人姓名")
    p.add_argument("--union-type", default=SetupInput("", "", "").union_kind, metavar="KIND",
                   help="所属工会类型：" + "、".join(UNION_KINDS) + "（默认 %(default)s）")
    p.add_argument("--card-code", metavar="CODE", help="本机发卡代码（由区总工会分配，如 DX07）；可以以后用 cards set-prefix 设置")
    p.add_argument("--district", action="store_true",
                   help="区总工会模式：本机为区总工会（生成本机同步密钥，为笔记本签发登记、汇总同步包）")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..domain import cardno
    from ..domain.vocab import UNION_KINDS
    from ..services import cards
    from ..services.setup import SetupInput
    from ..storage.meta import get_meta
    from ..workspace import open_workspace
    from .auth import new_password, print_recovery_code

    # Checked before anything is written: set-up happens once, so nothing may fail after it.
    if args.union_type not in UNION_KINDS:
        raise UserError("cli.bad_union_type", text=args.union_type, choices="、".join(UNION_KINDS))
    if args.card_code is not None:
        prefix, problem = cardno.check_prefix(args.card_code)
        if problem:
            raise UserError(problem, text=prefix)
    from .. import paths
    from ..workspace import folder_state

    if folder_state(args.data_dir).kind != "new":
        raise UserError("cli.already_set_up_locked", path=str(paths.data_dir(args.data_dir)))
    inp = SetupInput(laptop_name=args.laptop, union_name=args.union, clerk_name=args.clerk,
                     union_kind=args.union_type, password=new_password())
    ws = open_workspace(args.data_dir)
    try:
        if ws.ready:
            raise UserError("cli.already_set_up", laptop=get_meta(ws.db, "laptop_name") or "", path=str(ws.folder))
        ctx = ws.set_up(inp)
        prefix = cards.set_card_prefix(ctx, args.card_code) if args.card_code is not None else None
        if getattr(args, "district", False):
            from ..services.sync_site import become_district

            become_district(ctx)
            print("本机为区总工会（district 模式）：可为笔记本签发登记文件（site enrol），导入、导出同步包")
        print(f"已完成初始设置：本机“{inp.laptop_name.strip()}”，所属工会“{inp.union_name.strip()}”"
              f"（{inp.union_kind}），经办人“{inp.clerk_name.strip()}”")
        print(f"本机发卡代码：{prefix}" if prefix else "尚未设置发卡代码：发卡前请运行 cards set-prefix CODE")
        print(f"数据目录：{ws.folder}")
        print_recovery_code(ws.recovery_code or "")
    finally:
        ws.close()
    return 0
