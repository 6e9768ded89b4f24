"""The window starts without loading what it does not show: no command-line modules, no
phonenumbers or python-stdnum, no print preview, no cards or events page. Each loads on first
use (tests here check that too, so the check can fail). Run in a fresh interpreter, since this
test session has long imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import LOGIN, SETUP

ROOT = Path(__file__).resolve().parent.parent.parent
NOT_AT_START = ("clerk_app.cli", "phonenumbers", "stdnum", "clerk_app.ui.print_preview",
                "clerk_app.ui.cards_page", "clerk_app.ui.events_page", "clerk_app.ui.card_dialogs",
                "clerk_app.ui.hardship_page", "clerk_app.ui.sync_page", "PySide6.QtPdf")

CHILD = r"""
import json, sys
from clerk_app import __main__ as entry
from clerk_app.ui import app as ui_app

started = []
real_run_gui = ui_app.run_gui
ui_app.run_gui = lambda data_dir: started.append(data_dir) or 0  # what `clerk-app` would open
assert entry.main(["--data-dir", sys.argv[1]]) == 0 and started == [sys.argv[1]]

from clerk_app.workspace import Login, open_workspace
from clerk_app.storage.keyring import KdfParams
LOGIN = Login(sys.argv[2], sys.argv[3])  # (not from tests.conftest: that imports the world)

application = ui_app.prepare_application(["test"])
ws = open_workspace(sys.argv[1], login=LOGIN, kdf=KdfParams(memory_kib=64, time_cost=1, parallelism=1))
window = ui_app.build_main_window(ws)
window.show()
application.processEvents()
at_start = sorted(sys.modules)
window.nav.setCurrentRow(list(window.pages).index("cards"))
application.processEvents()
after_cards = sorted(sys.modules)
window.close()
ws.close()
print("RESULT " + json.dumps({"at_start": at_start, "after_cards": after_cards}))
"""


def _loaded(names: list[str], prefix: str) -> bool:
    return any(n == prefix or n.startswith(prefix + ".") for n in names)


def test_the_window_opens_without_the_modules_it_does_not_show(data_dir, workspace):
    workspace.set_up(SETUP)
    workspace.close()  # the child opens the folder as the app would
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), LOGIN.clerk, LOGIN.password], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    loaded = [name for name in NOT_AT_START if _loaded(result["at_start"], name)]
    assert loaded == []
    assert _loaded(result["at_start"], "clerk_app.ui.members_page")  # the page it opens on
    assert _loaded(result["after_cards"], "clerk_app.ui.cards_page")  # built when first shown
