"""Receipt printer addresses: `tcp://host:port`, `usb://VID:PID`, `serial:///dev/ttyS0?baud=N`.

urllib.parse does the splitting; the checks on top give one clear error per mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

from devices.printing.errors import ReceiptUriError

DEFAULT_TCP_PORT = 9100
DEFAULT_BAUD = 19200
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_HEX_ID = re.compile(r"(0x)?[0-9a-fA-F]{1,4}")


@dataclass(frozen=True)
class TcpAddress:
    host: str
    port: int = DEFAULT_TCP_PORT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


@dataclass(frozen=True)
class UsbAddress:
    vendor_id: int
    product_id: int

    def __str__(self) -> str:
        return f"usb://{self.vendor_id:04x}:{self.product_id:04x}"


@dataclass(frozen=True)
class SerialAddress:
    device: str
    baud: int = DEFAULT_BAUD

    def __str__(self) -> str:
        return f"serial://{self.device}?baud={self.baud}"


ReceiptAddress = TcpAddress | UsbAddress | SerialAddress


def parse_receipt_uri(uri: str) -> ReceiptAddress:
    text = uri.strip()
    if not text:
        raise ReceiptUriError("no receipt printer address given")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        return _tcp(text, parts)
    if scheme == "usb":
        return _usb(text, parts.netloc or parts.path)
    if scheme == "serial":
        return _serial(text, parts)
    raise ReceiptUriError(
        f"{text!r}: unknown scheme; use tcp://host:port, usb://VID:PID or serial:///dev/ttyX?baud=N"
    )


def _tcp(text: str, parts: SplitResult) -> TcpAddress:
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ReceiptUriError(f"{text!r}: a tcp address is only tcp://host:port")
    try:
        port = parts.port
    except ValueError:
        raise ReceiptUriError(f"{text!r}: the port must be a number from 1 to 65535") from None
    if not parts.hostname:
        raise ReceiptUriError(f"{text!r}: no host name")
    if port == 0:
        raise ReceiptUriError(f"{text!r}: the port must be a number from 1 to 65535")
    return TcpAddress(parts.hostname, port or DEFAULT_TCP_PORT)


def _usb(text: str, ids: str) -> UsbAddress:
    vendor, sep, product = ids.strip("/").partition(":")
    if not sep or not _HEX_ID.fullmatch(vendor) or not _HEX_ID.fullmatch(product):
        raise ReceiptUriError(
            f"{text!r}: expected usb://VID:PID in hexadecimal, e.g. usb://04b8:0202"
        )
    return UsbAddress(int(vendor, 16), int(product, 16))


def _serial(text: str, parts: SplitResult) -> SerialAddress:
    if parts.netloc or not parts.path.startswith("/dev/"):
        raise ReceiptUriError(f"{text!r}: expected serial:///dev/ttyX?baud=N (three slashes)")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"baud"}
    if unknown:
        raise ReceiptUriError(f"{text!r}: unknown option {sorted(unknown)[0]!r} (only baud)")
    baud = DEFAULT_BAUD
    if "baud" in query:
        value = query["baud"][-1]
        if not value.isdigit() or int(value) not in BAUD_RATES:
            rates = ", ".join(str(rate) for rate in BAUD_RATES)
            raise ReceiptUriError(f"{text!r}: baud must be one of {rates}")
        baud = int(value)
    return SerialAddress(parts.path, baud)
