"""Failed logins slow the next try down, across restarts: ``login_failures.json`` in the data
folder counts failures per clerk name (no passwords, no members' data).

After ``FREE_TRIES`` failures each further try must wait, doubling from ``FIRST_WAIT_S`` up to
``MAX_WAIT_S``; a successful login clears the count. This guards the app's own door (a passer-by
at an unlocked laptop guessing). Someone who copies the files instead meets Argon2id's cost per
guess (:mod:`.keyring`), which no counter here can add to."""

from __future__ import annotations

import json
from pathlib import Path

from ..domain.errors import UserError
from .keyring import atomic_write

FILENAME = "login_failures.json"
FREE_TRIES = 3
FIRST_WAIT_S = 30
MAX_WAIT_S = 15 * 60


def _load(folder: Path) -> dict:
    try:
        d = json.loads((Path(folder) / FILENAME).read_text("utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def wait_seconds(failures: int) -> int:
    if failures < FREE_TRIES:
        return 0
    return min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (failures - FREE_TRIES))


def check(folder: Path, name: str, now_ms: int) -> None:
    """Refuse (``auth.wait``) while ``name`` is still inside its wait after failed logins."""
    rec = _load(folder).get(name)
    if not isinstance(rec, dict):
        return
    failures, last = int(rec.get("failures", 0)), int(rec.get("last_ms", 0))
    left_ms = last + wait_seconds(failures) * 1000 - now_ms
    if left_ms > 0:
        raise UserError("auth.wait", failures=failures, seconds=(left_ms + 999) // 1000)


def record_failure(folder: Path, name: str, now_ms: int) -> None:
    d = _load(folder)
    rec = d.get(name) if isinstance(d.get(name), dict) else {}
    d[name] = {"failures": int(rec.get("failures", 0)) + 1, "last_ms": now_ms}
    atomic_write(Path(folder) / FILENAME, json.dumps(d, ensure_ascii=False).encode("utf-8"))


def record_success(folder: Path, name: str) -> None:
    d = _load(folder)
    if name in d:
        del d[name]
        atomic_write(Path(folder) / FILENAME, json.dumps(d, ensure_ascii=False).encode("utf-8"))
