"""`python -m i18n.compile`: compile each language's kiosk.po into kiosk.mo (Babel; fuzzy
entries left out). A .mo already holding the same bytes is not rewritten, only marked newer than
its .po: the catalogues trust a .mo that is not older than its .po, and otherwise compile the .po
again at every start (about 40 ms before the first frame)."""

from __future__ import annotations

import os
import sys

from i18n.catalogs import compile_po, mo_path, po_path, reload
from i18n.languages import CODES


def main() -> int:
    for lang in CODES:
        po, mo = po_path(lang), mo_path(lang)
        if not po.exists():
            print(f"missing {po}", file=sys.stderr)
            return 1
        data = compile_po(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            print(f"compiled {mo}")
        elif mo.stat().st_mtime < po.stat().st_mtime:
            # Same catalogue (an extraction that moved only references, say): give the .mo its
            # .po's time, which holds even when that time is ahead of this machine's clock.
            os.utime(mo, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns))
    reload()
    return 0


if __name__ == "__main__":
    sys.exit(main())
