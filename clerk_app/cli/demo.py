"""``clerk-app demo --members N``: fill the data folder with synthetic members."""

from __future__ import annotations

from .progress import progress_line


def register(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common], help="生成演示数据（合成的会员，非真实个人信息）")
    p.add_argument("--members", type=int, default=500, metavar="N", help="会员人数（默认 500）")
    p.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成同样的数据）")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..services.demo import generate_members
    import dataclasses
    import os

    from ..workspace import DEMO_PASSWORD, DEMO_SETUP, ENV_PASSWORD
    from .auth import open_cli_workspace, print_recovery_code

    ws = open_cli_workspace(args.data_dir)
    try:
        if ws.ready:
            ctx = ws.context()
        else:  # a new folder becomes a demo laptop whose password is said on screen
            password = os.environ.get(ENV_PASSWORD) or DEMO_PASSWORD
            ctx = ws.set_up(dataclasses.replace(DEMO_SETUP, password=password))
            shown = password if password == DEMO_PASSWORD else "环境变量 CLERK_APP_PASSWORD 的值"
            print(f"已设置演示笔记本：经办人“{DEMO_SETUP.clerk_name}”，密码：{shown}")
            print_recovery_code(ws.recovery_code or "")
        with progress_line("生成会员", "人") as progress:
            result = generate_members(ctx, args.members, seed=args.seed, progress=progress)
        print(f"已生成 {len(result.saved)} 名演示会员，数据目录：{ws.folder}")
    finally:
        ws.close()
    return 0
