"""gh-store: JSON objects kept in GitHub issues."""

from __future__ import annotations

__version__ = "1.0.0"
