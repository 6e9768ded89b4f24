"""``clerk-app check-id NUMBER ...``: one JSON line per number."""

from __future__ import annotations

import json
import sys


def register(sub, common) -> None:
    p = sub.add_parser("check-id", parents=[common], help="核验身份证号码（每个号码输出一行 JSON）")
    p.add_argument("numbers", nargs="+", metavar="NUMBER")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..clock import SYSTEM
    from ..domain.idnumber import check_id

    all_valid = True
    for raw in args.numbers:
        result = check_id(raw, SYSTEM.today())
        all_valid &= result.valid
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    return 0 if all_valid else 1
