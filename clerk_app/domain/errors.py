"""Typed errors. A user error carries a code and parameters; the text comes from messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from .messages import message


@dataclass(frozen=True)
class Issue:
    """One problem with one field of an input (``field`` may be empty for the whole form)."""

    field: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return message(self.code, **self.params)


class UserError(Exception):
    """The clerk's input or environment is wrong: show the Chinese message, keep the data."""

    def __init__(self, code: str, /, **params):
        self.code = code
        self.params = params
        super().__init__(message(code, **params))

    @property
    def message(self) -> str:
        return message(self.code, **self.params)


class ValidationFailed(UserError):
    """Several field problems at once, so a form can mark every bad field."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        first = self.issues[0]
        super().__init__(first.code, **first.params)

    @property
    def message(self) -> str:
        return "；".join(i.message for i in self.issues)


class DuplicateIdNumber(UserError):
    def __init__(self, existing_id: str, name: str, union: str):
        self.existing_id = existing_id
        super().__init__("member.duplicate_id", name=name, union=union)


class PossibleDuplicate(UserError):
    """Same name and birth date as existing members; the clerk must confirm."""

    def __init__(self, candidates: list[tuple[str, str]]):
        self.candidates = candidates  # (member id, name)
        names = "、".join(n for _, n in candidates)
        super().__init__("member.possible_duplicate", names=names)


class Cancelled(Exception):
    """The clerk cancelled a long job (an import, a batch, a print job); nothing of the
    unfinished part was saved or produced. One class for services and printing alike."""


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) says the disk is full: SQLite's
    SQLITE_FULL ("database or disk is full"), or an OSError ENOSPC / EFBIG (a file size limit,
    e.g. a FAT32 USB stick's 4 GB or ``RLIMIT_FSIZE``)."""
    import errno

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, UserError) and exc.code == "disk.full":
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return True
        if getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL" or "database or disk is full" in (
                str(exc) if type(exc).__module__.startswith(("sqlite3", "sqlcipher3")) else ""):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class NeedsRestore(UserError):
    """The data folder's database is missing, empty or unreadable although the folder was used
    before: not a new laptop. The way out is a restore from a backup (``folder`` says where)."""

    def __init__(self, code: str, /, folder, **params):
        self.folder = folder
        super().__init__(code, **params)


def os_error_detail(exc: OSError) -> str:
    """What a failed file write says in a message: 磁盘已满 when the disk (or a file size
    limit) is full, else the system's text (never the path: the message names it already)."""
    if is_disk_full(exc):
        return "磁盘已满，请删除一些不需要的文件、清空回收站后再试"
    return exc.strerror or type(exc).__name__
