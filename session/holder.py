"""The one object holding a citizen's data during a session.

Identity, address and photo (from the card read), the challenge signature and authentication
certificate, the city API token and the document bytes. Every byte buffer is a bytearray that
`wipe()` zeroes before dropping it. Parsed strings (name, national number) cannot be zeroed in
Python: they are dropped with the read, and nothing else may reference them (no logging, no
caching, no module globals). Copying or pickling the holder is refused, and its repr says nothing.
"""

from __future__ import annotations

from typing import SupportsIndex

from devices.eid.identity import Address, Identity
from devices.eid.model import CardFiles, EidRead


class CitizenDataError(RuntimeError):
    """Raised when asked for data the holder does not (or no longer) hold."""


class CitizenData:
    __slots__ = ("_certificate", "_document", "_eid", "_signature", "_token")

    def __init__(self) -> None:
        self._eid: EidRead | None = None
        self._signature: bytearray | None = None
        self._certificate: bytearray | None = None
        self._token: bytearray | None = None
        self._document: bytearray | None = None

    # -- filling ------------------------------------------------------------------------------

    def keep_card_read(self, read: EidRead) -> None:
        self._replace_eid(read)

    def keep_signature(self, signature: bytearray, certificate: bytearray) -> None:
        self._signature = _replace(self._signature, signature)
        self._certificate = _replace(self._certificate, certificate)

    def keep_token(self, token: bytearray) -> None:
        self._token = _replace(self._token, token)

    def keep_document(self, document: bytearray) -> None:
        self._document = _replace(self._document, document)

    # -- reading (executors and screens; never log what these return) ------------------------

    @property
    def identity(self) -> Identity:
        return self._card().identity

    @property
    def address(self) -> Address:
        return self._card().address

    @property
    def photo(self) -> bytearray:
        return self._card().files.photo

    @property
    def card_files(self) -> CardFiles:
        """The card's files as read (the city API checks them itself at authentication)."""
        return self._card().files

    @property
    def signature(self) -> bytearray:
        return _required(self._signature, "signature")

    @property
    def certificate(self) -> bytearray:
        return _required(self._certificate, "certificate")

    @property
    def token(self) -> bytearray:
        return _required(self._token, "token")

    @property
    def document(self) -> bytearray:
        return _required(self._document, "document")

    @property
    def has_card_read(self) -> bool:
        return self._eid is not None

    def buffers(self) -> list[bytearray]:
        """Every buffer currently held, for zeroing and for leak checks."""
        held = [self._signature, self._certificate, self._token, self._document]
        found = [b for b in held if b is not None]
        if self._eid is not None:
            found.extend(self._eid.files.buffers())
        return found

    def is_empty(self) -> bool:
        return not self.buffers() and self._eid is None

    # -- destroying ---------------------------------------------------------------------------

    def wipe(self) -> None:
        """Zero every buffer, then drop every reference. Idempotent."""
        for buf in self.buffers():
            buf[:] = bytes(len(buf))
        self._eid = None
        self._signature = self._certificate = self._token = self._document = None

    def _replace_eid(self, read: EidRead) -> None:
        if self._eid is not None and self._eid is not read:
            self._eid.files.zero()
        self._eid = read

    def _card(self) -> EidRead:
        if self._eid is None:
            raise CitizenDataError("no card read in this session")
        return self._eid

    # -- no copies ----------------------------------------------------------------------------

    def __repr__(self) -> str:
        return "CitizenData(<empty>)" if self.is_empty() else "CitizenData(<redacted>)"

    def __copy__(self) -> CitizenData:
        raise TypeError("citizen data is never copied")

    def __deepcopy__(self, memo: object) -> CitizenData:
        raise TypeError("citizen data is never copied")

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[object, ...]:
        raise TypeError("citizen data is never pickled")


def _replace(old: bytearray | None, new: bytearray) -> bytearray:
    if old is not None and old is not new:
        old[:] = bytes(len(old))
    return new


def _required(value: bytearray | None, what: str) -> bytearray:
    if value is None:
        raise CitizenDataError(f"no {what} in this session")
    return value
