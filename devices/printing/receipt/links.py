"""Byte links to a receipt printer over TCP, USB or serial, with bounded status reads.

python-escpos opens the devices (its Network, Usb and Serial printers); the reads are
done here because its own status helpers cannot tell silence from an answer. Before each
status query, stale input is drained: a printer may send bytes on its own (ASB), and a
reply that belongs to an earlier query must not be taken for this one.
"""

from __future__ import annotations

import socket
import time
from typing import Any, Protocol

from devices.printing.errors import ReceiptConnectionLost, ReceiptPrinterUnreachable
from devices.printing.receipt.status import status_query
from devices.printing.receipt.uri import ReceiptAddress, SerialAddress, TcpAddress, UsbAddress


class ReceiptLink(Protocol):
    def write(self, data: bytes) -> None: ...

    def query(self, kind: int, timeout: float) -> int | None:
        """The one-byte reply to DLE EOT `kind`, or None when the printer stays silent."""
        ...

    def close(self) -> None: ...


class TcpLink:
    def __init__(self, address: TcpAddress, profile: str, timeout: float) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

        self.address = address
        self.printer = Network(address.host, address.port, timeout=timeout, profile=profile)
        try:
            self.printer.open()
        except DeviceNotFoundError as exc:
            cause = exc.__context__ or exc
            raise ReceiptPrinterUnreachable(f"{address}: {_plain(cause)}") from None
        self.sock: socket.socket = self.printer.device
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
        except OSError as exc:
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None

    def _drain(self) -> None:
        self.sock.setblocking(False)
        try:
            for _ in range(64):  # bounded: a chattering printer cannot hold us here
                if not self.sock.recv(256):
                    raise ReceiptConnectionLost(
                        f"{self.address}: the printer closed the connection"
                    )
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None
        finally:
            self.sock.setblocking(True)

    def query(self, kind: int, timeout: float) -> int | None:
        self._drain()
        self.write(status_query(kind))
        self.sock.settimeout(timeout)
        try:
            reply = self.sock.recv(1)
        except TimeoutError:
            return None
        except OSError as exc:
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None
        if not reply:
            raise ReceiptConnectionLost(f"{self.address}: the printer closed the connection")
        return reply[0]

    def close(self) -> None:
        self.printer.close()


class SerialLink:
    def __init__(self, address: SerialAddress, profile: str, timeout: float) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Serial

        self.address = address
        # dsrdtr=False: many thermal printers do not wire DSR, and a write would then block.
        self.printer = Serial(
            address.device, address.baud, timeout=timeout, dsrdtr=False, profile=profile
        )
        try:
            self.printer.open()
        except DeviceNotFoundError as exc:
            raise ReceiptPrinterUnreachable(
                f"{address}: {_plain(exc.__context__ or exc)}"
            ) from None
        self.port: Any = self.printer.device

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
            self.port.flush()
        except Exception as exc:  # pyserial raises SerialException (an OSError) or others
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None

    def query(self, kind: int, timeout: float) -> int | None:
        try:
            self.port.reset_input_buffer()
        except Exception as exc:
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None
        self.write(status_query(kind))
        self.port.timeout = timeout
        try:
            reply = self.port.read(1)
        except Exception as exc:
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None
        return reply[0] if reply else None

    def close(self) -> None:
        self.printer.close()


class UsbLink:
    def __init__(self, address: UsbAddress, profile: str, timeout: float) -> None:
        from escpos.exceptions import DeviceNotFoundError, USBNotFoundError
        from escpos.printer import Usb

        self.address = address
        self.timeout_ms = int(timeout * 1000)
        self.printer = Usb(
            address.vendor_id, address.product_id, timeout=self.timeout_ms, profile=profile
        )
        try:
            self.printer.open()
        except (DeviceNotFoundError, USBNotFoundError) as exc:
            raise ReceiptPrinterUnreachable(f"{address}: {_plain(exc)}") from None
        except Exception as exc:  # pyusb: no backend, access denied, interface busy
            raise ReceiptPrinterUnreachable(f"{address}: {_plain(exc)}") from None

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
        except Exception as exc:  # pyusb raises USBError/USBTimeoutError
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None

    def _read(self, timeout_ms: int) -> bytes | None:
        import usb.core

        try:
            return bytes(self.printer.device.read(self.printer.in_ep, 16, timeout_ms))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as exc:
            raise ReceiptConnectionLost(f"{self.address}: {_plain(exc)}") from None

    def query(self, kind: int, timeout: float) -> int | None:
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline and self._read(10):
            pass
        self.write(status_query(kind))
        reply = self._read(max(1, int(timeout * 1000)))
        return reply[0] if reply else None

    def close(self) -> None:
        self.printer.close()


def _plain(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__


def open_link(address: ReceiptAddress, profile: str, timeout: float) -> ReceiptLink:
    if isinstance(address, TcpAddress):
        return TcpLink(address, profile, timeout)
    if isinstance(address, SerialAddress):
        return SerialLink(address, profile, timeout)
    return UsbLink(address, profile, timeout)
