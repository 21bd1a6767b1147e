"""``gwmerge serve``: a local web page over the same library API the command line uses."""

from __future__ import annotations

from gwmerge.web.app import create_app
from gwmerge.web.server import serve

__all__ = ["create_app", "serve"]
