"""Matrix row 2: a process importing a package is killed (SIGKILL) at random moments; the
district's database is afterwards exactly as before the import or exactly as after a clean
one (ledger row present ⇔ every change present), and importing again gives the clean state."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clerk_app.services import sync_packages
from clerk_app.storage import sync_ledger
from clerk_app.sync.state import state_hash
from clerk_app.workspace import open_workspace
from tests.conftest import make_id

ROOT = Path(__file__).resolve().parent.parent.parent
ROUNDS = 8

_IMPORTER = """
import sys
from clerk_app.services import sync_packages
from clerk_app.workspace import open_workspace
ws = open_workspace(sys.argv[1])
ctx = ws.context()
print("ready", flush=True)
sync_packages.import_package(ctx, sys.argv[2])
print("done", flush=True)
"""


def _look(folder: Path) -> tuple[str, int]:
    ws = open_workspace(folder)
    try:
        db = ws.db
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return state_hash(db), len(sync_ledger.packages(db, "in"))
    finally:
        ws.close()


@pytest.mark.slow
def test_killed_import_leaves_the_database_before_or_after(enrolled, tmp_path):
    a, district = enrolled.a, enrolled.district_ctx
    for n in range(150):
        name = "张王李赵钱孙周吴郑冯"[n % 10] + "一二三四五六七八九十"[n // 10 % 10] + "甲乙丙"[n // 100]
        enrolled.member(a, name, make_id(seq=f"{n:03d}", birth="19850101"))
    usb = tmp_path / "usb"
    usb.mkdir()
    package = sync_packages.export_package(a, usb).path
    folder = Path(district.db.conn.execute("PRAGMA database_list").fetchone()[2]).parent
    enrolled.close()  # the district's folder is now the children's
    enrolled.opened = []

    pristine = tmp_path / "pristine"
    shutil.copytree(folder, pristine)
    clean = tmp_path / "clean"
    shutil.copytree(folder, clean)
    ws = open_workspace(clean)
    try:
        sync_packages.import_package(ws.context(), package)
    finally:
        ws.close()
    before, after = _look(pristine), _look(clean)
    assert before[0] != after[0] and after[1] == before[1] + 1

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    outcomes = []
    for _ in range(ROUNDS):
        shutil.rmtree(folder)
        shutil.copytree(pristine, folder)
        proc = subprocess.Popen([sys.executable, "-c", _IMPORTER, str(folder), str(package)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.6))
        finally:
            proc.kill()
            out, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        seen = _look(folder)
        assert seen in (before, after), f"seed={seed}: half an import"
        outcomes.append(seen == after)
        ws = open_workspace(folder)  # and the import, run again, ends where a clean one does
        try:
            sync_packages.import_package(ws.context(), package)
        finally:
            ws.close()
        assert _look(folder) == after, f"seed={seed}"
    print(f"seed={seed}: {sum(outcomes)} of {ROUNDS} kills came after the commit")
