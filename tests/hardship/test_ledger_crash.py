"""A process paying out (with 负责人 overrides) is killed with SIGKILL at random moments: every
payment it acknowledged is there, none is half written (each override beside its entry, each
entry in the change log and the audit log), and the database is intact."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from clerk_app.domain import hardship as hs
from clerk_app.services import cards, hardship, members
from clerk_app.storage.audit import check_chain
from clerk_app.workspace import open_workspace
from clerk_app.domain.member import MemberInput
from tests.conftest import SETUP, TEST_KDF, make_id
from tests.hardship.conftest import child_id

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5

_WRITER = """
import sys
from clerk_app.services import hardship_ledger as ledger
from clerk_app.workspace import open_workspace

folder, file_id = sys.argv[1], sys.argv[2]
ws = open_workspace(folder)
ctx = ws.context()
print("ready", flush=True)
n = 0
while True:
    amount = "60000" if n % 2 else "6000"  # every other one breaks the 50,000 rule: overridden
    e = ledger.pay(ctx, file_id, ledger.PaymentInput(kind="临时应急救助", amount=amount, paid_date=ctx.today(),
                                                      fund="工会经费", approver="张主席",
                                                      override_reason="特批" if n % 2 else ""))
    print(e.id, flush=True)
    n += 1
"""


def _one(db, sql, *params):
    return db.conn.execute(sql, params).fetchone()[0]


def test_killed_payer_loses_nothing_and_leaves_no_half_entry(data_dir):
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    ctx = ws.set_up(SETUP)
    cards.set_card_prefix(ctx, "DX07")
    mid = members.register_member(ctx, MemberInput(name="赵困难", id_number=make_id(), phone="13812345678",
                                                   occupation="快递员", union_id=ctx.home_union_id)).member_id
    saved = hardship.file_member(ctx, mid, hs.FileInput(category="低保户", household=[
        hs.HouseholdInput(name="赵小", relation="子女", id_number=child_id(ctx.today(), 30))]))
    hardship.change_status(ctx, saved.file_id, hs.APPROVED)
    ws.close()
    rng = random.Random()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    acked: list[str] = []
    for _round in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(data_dir), saved.file_id], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            acked.append(proc.stdout.readline().strip())
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            proc.kill()
            out, err = proc.communicate(timeout=30)
        acked += [line for line in out.split("\n")[:-1] if line]
        assert "Traceback" not in err, err
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    try:
        db = ws.db
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0]: r[1] for r in db.conn.execute("SELECT id, amount_fen FROM hardship_ledger")}
        assert set(acked) <= set(stored) and len(acked) > ROUNDS
        for entry_id, fen in stored.items():
            overrides = _one(db, "SELECT count(*) FROM hardship_overrides WHERE entry_id = ?", entry_id)
            assert overrides == (1 if fen > 5_000_000 else 0)
            assert _one(db, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'pay'", entry_id) == 1
        logged = {r[0] for r in db.conn.execute("SELECT row_id FROM change_log WHERE tbl = 'hardship_ledger'")}
        assert logged == set(stored)
        assert check_chain(db).ok
    finally:
        ws.close()
