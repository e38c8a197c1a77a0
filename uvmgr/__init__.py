"""uvmgr: an AI assistant for Python projects managed with uv."""

__version__ = "0.1.0"
