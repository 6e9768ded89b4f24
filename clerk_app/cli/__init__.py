"""Command line: ``clerk-app`` opens the window; sub-commands do batch work over the same
services. Each sub-command lives in its own module with ``register(subparsers, common)``."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from .. import APP_NAME, __version__
from ..domain.errors import UserError, is_disk_full
from ..domain.messages import message
from ..storage import cipher
from . import (audit_cmd, backup_cmd, cards_cmd, check_id, clerks_cmd, db_cmd, demo, events_cmd, hardship_cmd,
               members_cmd, print_cmd, report_cmd, roster_cmd, setup_cmd, sync_cmd)

COMMANDS = [setup_cmd, cards_cmd, check_id, demo, roster_cmd, print_cmd, events_cmd, members_cmd, audit_cmd, db_cmd,
            clerks_cmd, backup_cmd, sync_cmd, hardship_cmd, report_cmd]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="数据目录（默认：用户数据目录）")
    parser = argparse.ArgumentParser(prog=APP_NAME, parents=[common],
                                     description="工会基层工作台：会员登记、服务卡、活动签到")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="自检：在临时数据目录里不显示窗口地打开各页面和打印预览，成功时退出码为 0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "data_dir", None):
        args.data_dir = None
    if args.self_test:
        from ..ui.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        from ..ui.app import run_gui

        return run_gui(args.data_dir)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``clerk-app cards list | head``): not an error. Point stdout at
        # devnull so Python's own flush at exit does not raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(message("cli.interrupted"), file=sys.stderr)
        return 130
    except (OSError, sqlite3.Error, cipher.Error) as exc:
        if not is_disk_full(exc):
            return report_internal_error(exc, args.data_dir)
        # The disk (or a file size limit) is full: every write was one transaction, rolled back.
        print(f"错误：{message('disk.full', where='')}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last stop before Python's own traceback
        return report_internal_error(exc, args.data_dir)


def report_internal_error(exc: BaseException, data_dir: str | None) -> int:
    """A bug in a command: Python would print the traceback with the exception's message
    (a KeyError of an ID number, a ValueError quoting a cell) to a terminal that a script may
    be logging. Instead the stack goes to the data folder's log, redacted like the window's
    crash log, and stderr gets one Chinese sentence naming that log. Exit code 70 (EX_SOFTWARE)."""
    from .. import paths
    from ..crashlog import append_log, log_path, redacted_traceback

    text = redacted_traceback(type(exc), exc.__traceback__, exc)
    try:
        logged = append_log(log_path(paths.data_dir(data_dir)), text)
    except OSError:
        logged = None
    if logged is None:
        print(message("cli.internal_error_unlogged"), file=sys.stderr)
    else:
        print(message("cli.internal_error", path=str(logged)), file=sys.stderr)
    return 70
