"""A receipt's content in the citizen's language, for devices.printing's receipt layout.

Everything comes from the gettext catalogues: the labels, and the patterns of the date and the
price, which follow the conventions the receipt has always printed (not Babel's, which the
screens use). A language's receipt is its catalogue's business, like its words.
"""

from __future__ import annotations

from datetime import datetime

from devices.printing import ReceiptContent, ReceiptLabels
from i18n import gettext_for

# The French catalogue writes a no-break space before ":" and "!" (so that a screen never
# starts a line with them); the receipt has always printed an ordinary space there.
NO_BREAK_SPACE = "\u00a0"


def receipt_labels(lang: str) -> ReceiptLabels:
    gettext = gettext_for(lang)

    def _(msgid: str) -> str:
        return gettext(msgid).replace(NO_BREAK_SPACE, " ")

    return ReceiptLabels(
        title=_("Receipt"),
        date=_("Date"),
        terminal=_("Terminal"),
        reference=_("Reference"),
        verification_code=_("Verification code"),
        price=_("Price"),
        scan_to_check=_("Scan to check the document:"),
        thanks=_("Thank you, goodbye!"),
    )


def receipt_date(moment: datetime, lang: str) -> str:
    """04/03/2026 09:07; in German 04.03.2026 09:07 (a strftime pattern, from the catalogue)."""
    _ = gettext_for(lang)
    return moment.strftime(_("%d/%m/%Y %H:%M"))


def receipt_price(cents: int, lang: str) -> str:
    """Belgian conventions: 5,00 € (fr, de), € 5,00 (nl), €5.00 (en), as each catalogue
    writes it; "" when free (the receipt then has no price line)."""
    if cents < 0:
        raise ValueError("a price cannot be negative")
    if not cents:
        return ""
    euros, rest = divmod(cents, 100)
    _ = gettext_for(lang)
    return _("€{euros}.{cents}").format(euros=euros, cents=f"{rest:02d}")


def receipt_in(
    lang: str,
    *,
    document_name: str,
    issued_at: datetime,
    terminal_id: str,
    reference: str,
    verification_code: str,
    verification_url: str,
    price_cents: int = 0,
) -> ReceiptContent:
    return ReceiptContent(
        labels=receipt_labels(lang),
        document_name=document_name,
        issued_at=receipt_date(issued_at, lang),
        terminal_id=terminal_id,
        reference=reference,
        verification_code=verification_code,
        verification_url=verification_url,
        price=receipt_price(price_cents, lang),
    )
