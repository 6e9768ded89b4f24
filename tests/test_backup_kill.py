"""Matrix row 4: the app killed in the middle of a backup. The backup's final name holds either
the previous good backup or a new one that passes integrity_check — never a half file — the
database itself is untouched, and the next start removes the killed backup's ``.part``."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clerk_app.storage.backup import check_file
from clerk_app.workspace import open_workspace
from tests.conftest import SETUP, TEST_KDF, reopen

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15

_BACKER = """
import sys
from pathlib import Path
from clerk_app.storage.backup import backup_to
from clerk_app.workspace import open_workspace

folder = Path(sys.argv[1])
ws = open_workspace(folder)
print("ready", flush=True)
while True:
    backup_to(ws.db, folder / "backups" / "clerk-20261203-120000-manual.db")
    print("done", flush=True)  # only after the rename
"""


@pytest.mark.slow
def test_killed_backup_leaves_the_old_or_a_verified_new_file(data_dir):
    ws = open_workspace(data_dir, kdf=TEST_KDF)
    ctx = ws.set_up(SETUP)
    from clerk_app.services.demo import generate_members

    generate_members(ctx, 2500, seed=3)  # a few MB: a backup takes long enough to be cut
    members = ws.db.conn.execute("SELECT count(*) FROM members").fetchone()[0]
    key = ws.key
    ws.close()
    target = data_dir / "backups" / "clerk-20261203-120000-manual.db"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    finished = 0
    cut_mid_copy = 0
    for _round in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", _BACKER, str(data_dir)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.6))
        finally:
            proc.kill()  # SIGKILL: maybe in VACUUM INTO, the fsync, the check or the rename
            out, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, f"seed={seed}: {err}"
        finished += out.count("done")
        part = target.with_name(target.name + ".part")
        cut_mid_copy += part.exists()
        if target.exists():
            assert check_file(target, key) == [], f"seed={seed}: a half backup under the final name"
        else:
            assert finished == 0, f"seed={seed}: a finished backup disappeared"
        ws = reopen(data_dir)  # the next start: the database untouched, the .part gone
        try:
            assert ws.health.ok, f"seed={seed}: {ws.health.problems}"
            assert ws.db.conn.execute("SELECT count(*) FROM members").fetchone()[0] == members
            assert not part.exists()
        finally:
            ws.close()
    assert finished > 0, f"seed={seed}: no backup ever finished (the test tested nothing)"
    assert cut_mid_copy > 0 or finished < ROUNDS * 3, f"seed={seed}: never killed mid-copy"
