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
    from ..workspace import ensure_context, open_workspace

    ws = open_workspace(args.data_dir)
    try:
        ctx = ensure_context(ws)
        with progress_line("生成会员", "人") as progress:
            result = generate_members(ctx, args.members, seed=args.seed, progress=progress)
        print(f"已生成 {len(result.saved)} 名演示会员，数据目录：{ws.folder}")
    finally:
        ws.close()
    return 0
