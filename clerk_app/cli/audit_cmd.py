"""``clerk-app audit verify``: check the audit trail's hash chain and anchor; exit code 0 when
it holds, 1 when it was tampered with (the message names the entry)."""

from __future__ import annotations

import sys

from .common import open_ready_workspace


def register(sub, common) -> None:
    p = sub.add_parser("audit", parents=[common], help="审计记录：校验是否被改动")
    cmds = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    c = cmds.add_parser("verify", parents=[common], help="逐条校验审计记录的校验链和锚点")
    c.set_defaults(func=_verify)


def _verify(args) -> int:
    from ..domain.messages import message
    from ..services import audit_trail

    ws = open_ready_workspace(args)
    try:
        result = audit_trail.verify(ws.db)
        anchor = audit_trail.anchor(ws.db)
    finally:
        ws.close()
    if result.ok:
        print(result.message)
        print(audit_trail.anchor_text(anchor))
        return 0
    print(f"{message('audit.broken_title')}：{result.message}", file=sys.stderr)
    print(message("audit.broken_advice"), file=sys.stderr)
    print(audit_trail.anchor_text(anchor), file=sys.stderr)
    return 1
