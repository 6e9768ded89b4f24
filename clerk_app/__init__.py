"""clerk-app: offline desktop tool for grassroots trade-union clerks."""

__version__ = "0.1.0"
APP_NAME = "clerk-app"
APP_TITLE = "工会基层工作台"
