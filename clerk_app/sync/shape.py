"""What a record inside a package may look like, checked before any of it is used.

A package from an enrolled laptop is signed, but a buggy or stolen laptop can still sign
nonsense: unknown tables, field names made to look like SQL, a 10 MB string, NaN, a nested
structure a thousand deep. :func:`check_record` refuses all of it; one bad record refuses the
whole package (the caller raises :class:`~.errors.PackageRefused` with ``bad_record``).

Plain data means what JSON can hold: None, bool, int (64-bit), finite float, str, lists and
maps with string keys. No bytes, tags, dates or big integers: the body must mean the same to
the city tier's PostgreSQL as to SQLite.

The rules are data, passed in by the caller who knows the tables (``ShapeRules.tables``), plus
an optional ``check`` callable for domain checks such as ID-number checksums.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


class BadRecord(ValueError):
    """A record does not have the allowed shape; the text says which part (for the log)."""


@dataclass(frozen=True)
class ShapeRules:
    """Limits for the records of one package.

    ``tables``: table name → the field names a change of that table may carry in its
    ``data_key`` map (None: any table, any field of the name shape ``[a-z][a-z0-9_]*``).
    ``envelope``: the keys a change itself may have (None: any name-shaped key).
    ``check``: called with each change after the shape passed; returns a problem text or None.
    """

    tables: Mapping[str, Collection[str]] | None = None
    envelope: Collection[str] | None = None
    table_key: str = "tbl"
    data_key: str = "data"
    max_text: int = 20_000          # characters in one string
    max_items: int = 10_000         # entries in one list or map
    max_depth: int = 6              # nesting inside one record
    check: Callable[[dict], str | None] | None = None


def _scalar_problem(value, rules: ShapeRules) -> str | None:
    """None when ``value`` is an allowed scalar; a problem text otherwise; "" for a container."""
    kind = type(value)
    if kind is str:
        return None if len(value) <= rules.max_text else f"文字超过 {rules.max_text} 字"
    if kind is int:
        return None if INT_MIN <= value <= INT_MAX else "整数超出范围"
    if value is None or kind is bool:
        return None
    if kind is float:
        return None if math.isfinite(value) else "数值不是有限数"
    if kind is list or kind is dict:
        return ""
    return f"不允许的数据类型 {kind.__name__}"


def check_plain(value, rules: ShapeRules, depth: int = 0, where: str = "") -> None:
    """Raise :class:`BadRecord` unless ``value`` is plain data within the limits.
    (Called for every field of every change: scalars take the short path.)"""
    problem = _scalar_problem(value, rules)
    if problem is None:
        return
    if problem:
        raise BadRecord(f"{where}: {problem}")
    if depth >= rules.max_depth:
        raise BadRecord(f"{where}: 嵌套过深")
    if len(value) > rules.max_items:
        raise BadRecord(f"{where}: 列表或字段过多")
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str or len(key) > 64:
                raise BadRecord(f"{where}: 字段名不是文字")
            problem = _scalar_problem(item, rules)
            if problem is None:
                continue
            if problem:
                raise BadRecord(f"{where}.{key}: {problem}")
            check_plain(item, rules, depth + 1, f"{where}.{key}")
    else:
        for i, item in enumerate(value):
            problem = _scalar_problem(item, rules)
            if problem is None:
                continue
            if problem:
                raise BadRecord(f"{where}[{i}]: {problem}")
            check_plain(item, rules, depth + 1, f"{where}[{i}]")


@lru_cache(maxsize=4096)
def _name_ok(name: str) -> bool:
    return bool(_NAME.fullmatch(name))


def _check_names(names, allowed: Collection[str] | None, what: str) -> None:
    for name in names:
        if allowed is None:
            if not (isinstance(name, str) and _name_ok(name)):
                raise BadRecord(f"{what}名不合格：{str(name)[:40]!r}")
        elif name not in allowed:
            raise BadRecord(f"未知的{what}：{str(name)[:40]!r}")


def check_record(record, rules: ShapeRules) -> None:
    """One change (a map): plain data, known envelope keys, a known table, known fields."""
    if not isinstance(record, dict):
        raise BadRecord("记录不是字段表")
    check_plain(record, rules)
    _check_names(record, rules.envelope, "字段")
    table = record.get(rules.table_key)
    if not isinstance(table, str):
        raise BadRecord("缺少表名")
    _check_names([table], rules.tables, "表")
    data = record.get(rules.data_key)
    if data is not None:
        if not isinstance(data, dict):
            raise BadRecord("数据不是字段表")
        _check_names(data, None if rules.tables is None else rules.tables[table], "字段")
    if rules.check is not None:
        problem = rules.check(record)
        if problem:
            raise BadRecord(problem)


def check_audit_entry(entry, rules: ShapeRules) -> None:
    """One audit-log entry: plain data, name-shaped keys (the audit chain is checked later)."""
    if not isinstance(entry, dict):
        raise BadRecord("审计记录不是字段表")
    check_plain(entry, rules)
    _check_names(entry, None, "字段")
