"""``clerk-app backup list | create | restore NAME [--yes] | second-folder [PATH | --off]`` and
``clerk-app db check``: the same backups and checks as the window (services.backups,
services.restore, workspace). Backups are encrypted with the laptop's data key: listing and
restoring unlock it from keys.json with the clerk's password (``CLERK_APP_PASSWORD`` or a
prompt), which works even when the database itself is missing or damaged."""

from __future__ import annotations

import sys

from ..domain.errors import UserError


def register(sub, common) -> None:
    p = sub.add_parser("backup", parents=[common], help="备份：列出、立即备份、从备份恢复")
    bsub = p.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    ls = bsub.add_parser("list", parents=[common], help="列出备份（时间、类型、会员/服务卡/活动数量）")
    ls.add_argument("--no-counts", action="store_true", help="不读取每个备份中的数量（更快）")
    ls.set_defaults(func=run_list)
    cr = bsub.add_parser("create", parents=[common], help="立即备份（到数据目录的 backups 和第二备份位置）")
    cr.set_defaults(func=run_create)
    rs = bsub.add_parser("restore", parents=[common], help="从备份恢复（当前数据先另存一份；恢复后发卡暂停，需设置新发卡代码）")
    rs.add_argument("name", metavar="NAME", help="备份文件名（backup list 所列）或备份文件路径")
    rs.add_argument("--yes", action="store_true", help="确认恢复（不再询问）")
    rs.set_defaults(func=run_restore)
    sf = bsub.add_parser("second-folder", parents=[common], help="第二备份位置（如 U 盘上的文件夹）")
    sf.add_argument("path", nargs="?", metavar="PATH", help="文件夹路径；不写则显示当前设置")
    sf.add_argument("--off", action="store_true", help="不再备份到第二位置")
    sf.set_defaults(func=run_second_folder)


def _folder(args):
    from .. import paths

    try:
        return paths.data_dir(args.data_dir)
    except OSError:
        raise UserError("app.data_dir_unusable", path=str(args.data_dir or "")) from None


def _unlock(folder):
    """The clerk id and data key, unlocked from keys.json with the clerk's login (no database
    opened)."""
    from ..workspace import folder_state, unlock_data
    from .auth import ask_login

    return unlock_data(folder, ask_login(folder_state(folder)))


def _key(folder):
    return _unlock(folder)[1]


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, n // 1024)} KB"


def run_list(args) -> int:
    from ..services import backups
    from ..storage.backup import read_facts

    folder = _folder(args)
    found = backups.list_backups(folder)
    if not found:
        print(f"没有备份：{backups.backup_dir(folder)}")
        return 0
    key = None if args.no_counts else _key(folder)
    for b in found:
        counts = ""
        if not args.no_counts:
            try:
                f = read_facts(b.path, key)
                counts = f"会员 {f.members} 名  服务卡 {f.cards} 张  活动 {f.events} 场"
            except UserError as exc:
                counts = exc.message
        where = "  （第二备份位置）" if b.second else ""
        print(f"{b.name}  {b.taken_text}  {b.kind_label}  {_size(b.size)}  {counts}{where}")
    return 0


def run_create(args) -> int:
    from ..services import backups
    from .common import ready_context

    with ready_context(args) as ctx:
        run = backups.create_backup(ctx, "manual")
    print(f"已备份：{run.path}")
    if run.second:
        print(f"已备份到第二位置：{run.second}")
    for w in run.warnings:
        print(f"注意：{w}", file=sys.stderr)
    return 0


def run_restore(args) -> int:
    from ..domain.messages import message
    from ..services import backups
    from ..storage.backup import read_facts
    from ..workspace import restore_into

    folder = _folder(args)
    chosen = backups.find_backup(folder, args.name)
    clerk_id, key = _unlock(folder)
    facts = read_facts(chosen.path, key)
    print(f"备份：{chosen.name}（{chosen.taken_text}，{chosen.kind_label}）")
    print(f"内容：会员 {facts.members} 名，服务卡 {facts.cards} 张，活动 {facts.events} 场"
          + (f"；本机“{facts.laptop_name}”" if facts.laptop_name else ""))
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("backup.confirm_needed")
        answer = input("用这个备份替换当前数据？当前数据会先另存一份。输入 y 确认：").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消，没有做任何更改")
            return 1
    result = restore_into(folder, chosen, unlocked=(clerk_id, key))  # a 管理员 only
    print(message("backup.restored", name=chosen.name, taken=chosen.taken_text, members=facts.members,
                  cards=facts.cards, events=facts.events, kept=str(result.kept) if result.kept else "（无）"))
    return 0


def run_second_folder(args) -> int:
    from ..services import backups
    from .common import ready_context

    folder = _folder(args)
    if args.off or args.path:  # a change: as the clerk who logs in, a 管理员 only
        with ready_context(args) as ctx:
            backups.set_second_folder(ctx, None if args.off else args.path)
        print("已取消第二备份位置" if args.off else f"第二备份位置：{args.path}")
    else:
        current = backups.second_folder(folder)
        print(f"第二备份位置：{current}" if current else "未设置第二备份位置")
    return 0


def run_check(args) -> int:
    from ..domain.messages import message
    from ..workspace import damage_message, problem_lines
    from .auth import open_cli_workspace

    ws = open_cli_workspace(args.data_dir, full_check=True)
    try:
        problems = ws.health.problems
    finally:
        ws.close()
    if problems:
        print(damage_message(problems), file=sys.stderr)
        for line in problem_lines(problems)[:20]:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(message("db.check_ok", kind="integrity_check + foreign_key_check"))
    return 0
