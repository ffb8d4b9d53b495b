"""After a wipe the kiosk gives its freed memory back to the system (kiosk.wiring.wipe_ports
.ProcessMemory): without it, memory freed in the middle of the heap stays in the process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# 80 MB in 4 kB buffers (malloc, not Python's small-object allocator), with a small buffer kept
# every 256 kB so the freed memory sits in the middle of the heap, as a session's does.
SCRIPT = """
import json
from kiosk.wiring.wipe_ports import ProcessMemory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

before = rss_mb()
buffers, kept = [], []
for i in range(20000):
    buffers.append(b"x" * 4000 + bytes([i % 256]))
    if i % 64 == 0:
        kept.append(b"k" * 4000 + bytes([i % 256]))
del buffers
freed = rss_mb()
ProcessMemory().release()
print(json.dumps({"before": before, "freed": freed, "released": rss_mb()}))
"""


def test_freed_memory_goes_back_to_the_system() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rss = json.loads(result.stdout)
    assert rss["freed"] - rss["before"] > 50, rss  # freed, yet still held by the process
    assert rss["freed"] - rss["released"] > 50, rss  # handed back


def test_the_release_keeps_no_language_a_session_does_not_use() -> None:
    import babel.localedata

    from i18n.formats import format_price
    from kiosk.wiring.wipe_ports import ProcessMemory

    prices = {lang: format_price(350, lang) for lang in ("fr", "nl", "en", "de")}
    assert len(babel.localedata._cache) >= 4  # each language's data, merged with its parents
    ProcessMemory().release()
    assert babel.localedata._cache == {}
    # The next citizen's language comes back on first use, the same.
    assert {lang: format_price(350, lang) for lang in prices} == prices
