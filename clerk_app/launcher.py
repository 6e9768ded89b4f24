"""Script entry for PyInstaller (it needs a file, not a module with relative imports)."""

import sys

from clerk_app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
