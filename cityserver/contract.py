"""`python -m cityserver.contract > docs/openapi.json`: the contract, from the server app.

A test compares the committed file with this output, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from cityserver.app import build_api
from cityserver.config import ServerConfig


def contract() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        app = build_api(ServerConfig(data_dir=Path(folder)))
        try:
            return app.openapi()
        finally:
            app.state.store.close()


def render() -> str:
    return json.dumps(contract(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
