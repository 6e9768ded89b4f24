"""Where things live: the data folder (platformdirs, or --data-dir), and bundled resources
(next to the source tree, or inside a PyInstaller bundle). The one place that knows about
frozen apps."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs("ClerkApp", "GonghuiClerk")
ENV_DATA_DIR = "CLERK_APP_DATA_DIR"
FONT_FILE = "NotoSansSC-Clerk.ttf"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data folder: --data-dir, else $CLERK_APP_DATA_DIR, else the user's data folder."""
    chosen = override or os.environ.get(ENV_DATA_DIR) or _DIRS.user_data_dir
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path(folder: Path) -> Path:
    from .storage.db import DB_FILENAME

    return folder / DB_FILENAME


def resource_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def font_path() -> Path:
    return resource("fonts", FONT_FILE)
