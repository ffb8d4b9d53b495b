"""`python -m kiosk.i18n.compile`: compile each language's kiosk.po into kiosk.mo (Babel; fuzzy
entries left out). A .mo already holding the same bytes is not rewritten."""

from __future__ import annotations

import sys

from kiosk.i18n.catalogs import LANGUAGES, compile_po, mo_path, po_path, reload


def main() -> int:
    for lang in LANGUAGES:
        po, mo = po_path(lang), mo_path(lang)
        if not po.exists():
            print(f"missing {po}", file=sys.stderr)
            return 1
        data = compile_po(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            print(f"compiled {mo}")
    reload()
    return 0


if __name__ == "__main__":
    sys.exit(main())
