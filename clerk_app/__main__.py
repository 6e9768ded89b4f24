"""Entry point: ``clerk-app`` / ``python -m clerk_app``. Wiring only.

``clerk-app`` with no sub-command (at most ``--data-dir DIR``) goes straight to the window:
the command-line parser and its fourteen command modules are imported only for a command."""

from __future__ import annotations

import sys


def window_only(argv: list[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` asks for the window alone, and its data folder (None: the default)."""
    data_dir: str | None = None
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--data-dir" and rest:
            data_dir = rest.pop(0)
        elif arg.startswith("--data-dir="):
            data_dir = arg.partition("=")[2]
        else:
            return False, None
    return True, data_dir or None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    window, data_dir = window_only(args)
    if window:
        from .ui.app import run_gui

        return run_gui(data_dir)
    from .cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
