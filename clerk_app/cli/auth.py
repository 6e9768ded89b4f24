"""How a command learns who is acting: ``CLERK_APP_PASSWORD`` (and ``CLERK_APP_CLERK`` when the
laptop has several clerks), else a prompt on the terminal (the password is not echoed)."""

from __future__ import annotations

import getpass
import sys

from ..domain.errors import UserError


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask_login(state):
    """The :class:`~clerk_app.workspace.Login` for a folder in ``state`` (None when it needs none)."""
    from ..workspace import Login, login_from_env

    if state.kind == "new":
        return None
    login = login_from_env()
    if login is not None or not _interactive():
        return login  # None: open_workspace says which variable to set
    if state.kind == "plaintext":
        print(f"数据库尚未加密。请为经办人“{state.clerk_names[0]}”设置密码，加密后每次使用都要输入。",
              file=sys.stderr)
        return Login(state.clerk_names[0], new_password())
    name = None
    if len(state.clerk_names) > 1:
        name = input(f"经办人姓名（{'、'.join(state.clerk_names)}）：").strip()
    return Login(name, getpass.getpass("密码："))


def new_password(env: str | None = None, prompt: str = "设置密码（至少 8 位）：") -> str:
    """A new password from the environment variable ``env`` (``CLERK_APP_PASSWORD`` by default)
    or typed twice on the terminal."""
    import os

    from ..workspace import ENV_PASSWORD

    env = env or ENV_PASSWORD
    if os.environ.get(env) is not None:
        return os.environ[env]
    if not _interactive():
        raise UserError("auth.password_required")
    first = getpass.getpass(prompt)
    if getpass.getpass("再输入一次：") != first:
        raise UserError("auth.password_mismatch")
    return first


def open_cli_workspace(data_dir, **options):
    """``open_workspace`` with the login a command has (``options``: e.g. ``full_check``);
    prints the recovery key if opening it just encrypted an old plaintext database (the one time
    it is shown)."""
    from ..workspace import folder_state, open_workspace

    ws = open_workspace(data_dir, login=ask_login(folder_state(data_dir)), **options)
    if ws.recovery_code:
        print_recovery_code(ws.recovery_code)
    return ws


def print_recovery_code(code: str) -> None:
    print("数据库已加密。恢复密钥（只显示这一次，请抄写或打印后交工会主席放入保险柜；"
          "忘记全部密码时凭它打开数据）：")
    print(f"    {code}")
