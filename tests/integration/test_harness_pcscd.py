"""The pcscd fixture gives a real PC/SC stack with the vpcd readers."""

from __future__ import annotations

import os
import socket

import pytest

from tests.harness.pcscd import VPCD_READERS, Pcscd

pytestmark = pytest.mark.integration


def test_vpcd_readers_are_listed_through_pyscard(pcscd: Pcscd) -> None:
    from smartcard.System import readers

    names = [str(r) for r in readers()]
    for expected in VPCD_READERS:
        assert expected in names


def test_an_emulator_can_reach_the_vpcd_port(pcscd: Pcscd) -> None:
    sock = pcscd.connect_emulator(VPCD_READERS[1])
    try:
        assert sock.getpeername()[1] == 35964
    finally:
        sock.close()


def test_our_pcscd_keeps_vpcd_off_the_host_network(pcscd: Pcscd) -> None:
    if pcscd.process is None:
        return  # a pcscd we reuse is configured by its owner, not by us
    assert pcscd.netns_pid is not None, "as root, pcscd starts in its own network"
    pcscd_net = os.readlink(f"/proc/{pcscd.process.pid}/ns/net")
    assert pcscd_net == os.readlink(f"/proc/{pcscd.netns_pid}/ns/net")
    assert pcscd_net != os.readlink("/proc/self/ns/net")
    # In the test's own namespace nothing listens on the vpcd port.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", 35963), timeout=2).close()
