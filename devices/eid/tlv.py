"""The BELPIC "simplified TLV" format of the ID (4031) and address (4033) files.

Layout (card content v5.4 §6.1): a 1-byte tag, then a length where each leading FF byte adds
255 and the first byte below FF adds its own value (`FF 05` = 260, `FF FF 05` = 515), then the
value. We sum the FF bytes like the official middleware; commons-eid's 7-bit continuation reading
differs only for lengths >= 128, which never occur in practice.

Tag 00 (file structure version) may only come first; a zero tag anywhere later is the start of
the zero padding and ends the file. An all-zero file is blank (no fields). Unknown tags are
kept: new card generations add tags and must not become unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_LONG = 0xFF
_PAD_TAG = 0x00


class TlvError(ValueError):
    """The bytes are not a well-formed BELPIC TLV file (truncated or inconsistent)."""


@dataclass(frozen=True, repr=False)
class TlvFile:
    """Fields in card order, raw bytes per tag; tags are unique within a file."""

    fields: tuple[tuple[int, bytes], ...]
    _by_tag: dict[int, bytes] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        by_tag: dict[int, bytes] = {}
        for tag, value in self.fields:
            if tag in by_tag:
                # Two values for one tag would let two readers see different data.
                raise TlvError(f"duplicate TLV tag 0x{tag:02X}")
            by_tag[tag] = value
        object.__setattr__(self, "_by_tag", by_tag)

    def __getitem__(self, tag: int) -> bytes:
        return self._by_tag[tag]

    def __contains__(self, tag: object) -> bool:
        return tag in self._by_tag

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def get(self, tag: int) -> bytes | None:
        return self._by_tag.get(tag)

    def tags(self) -> tuple[int, ...]:
        return tuple(tag for tag, _ in self.fields)

    def as_dict(self) -> dict[int, bytes]:
        return dict(self._by_tag)

    def __repr__(self) -> str:
        # Values are citizen data: show only the shape.
        return f"TlvFile(tags={[f'0x{t:02X}' for t in self.tags()]})"


def parse_tlv(data: bytes | bytearray | memoryview) -> TlvFile:
    """Parse a whole card file (padding included). Raises TlvError on malformed input."""
    buf = bytes(data)
    end = len(buf)
    fields: list[tuple[int, bytes]] = []
    if not any(buf):
        return TlvFile(())  # blank (all-zero) file: padding only, no version field
    pos = 0
    while pos < end:
        tag = buf[pos]
        if tag == _PAD_TAG and pos > 0:
            break
        tag_at = pos
        pos += 1
        length = 0
        while True:
            if pos >= end:
                raise TlvError(f"TLV length of tag 0x{tag:02X} at offset {tag_at} is truncated")
            byte = buf[pos]
            pos += 1
            length += byte
            if byte != _LONG:
                break
        if pos + length > end:
            raise TlvError(
                f"TLV value of tag 0x{tag:02X} at offset {tag_at} needs {length} bytes, "
                f"{end - pos} left"
            )
        fields.append((tag, buf[pos : pos + length]))
        pos += length
    return TlvFile(tuple(fields))


def encode_length(length: int) -> bytes:
    if length < 0:
        raise TlvError("TLV length cannot be negative")
    full, rest = divmod(length, _LONG)
    return bytes([_LONG] * full + [rest])


def encode_tlv(fields: Iterable[tuple[int, bytes | bytearray]], pad_to: int = 0) -> bytes:
    """Build a card file from (tag, value) pairs, zero-padded to `pad_to` bytes if given.

    Rejects what `parse_tlv` would not read back identically: tag 00 after the first field,
    duplicate tags, tags outside 0..255.
    """
    out = bytearray()
    seen: set[int] = set()
    for index, (tag, value) in enumerate(fields):
        if not 0 <= tag <= 0xFF:
            raise TlvError(f"TLV tag {tag} out of range")
        if tag == _PAD_TAG and index > 0:
            raise TlvError("TLV tag 0x00 is only allowed as the first field")
        if tag in seen:
            raise TlvError(f"duplicate TLV tag 0x{tag:02X}")
        seen.add(tag)
        out.append(tag)
        out += encode_length(len(value))
        out += value
    if out and not any(out):
        raise TlvError("a lone empty version field would read back as a blank file")
    if len(out) < pad_to:
        out += bytes(pad_to - len(out))
    return bytes(out)
