"""Fixtures of the crew tests: an egress guard and a private data dir with the knowledge store reset."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


class Egress(Exception):
    pass


@pytest.fixture
def egress_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail on any connect outside 127.0.0.1 / ::1 / unix sockets; also refuse DNS lookups of other hosts."""
    attempts: list[str] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def allowed(address: Any) -> bool:
        if isinstance(address, (str, bytes)):
            return True  # unix socket
        host = address[0]
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"

    def connect(self: socket.socket, address: Any) -> Any:
        if not allowed(address):
            attempts.append(str(address))
            raise Egress(f"connection outside loopback: {address}")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost") and not str(host).startswith(("127.", "::1")):
            try:
                ipaddress.ip_address(host)
            except ValueError:
                attempts.append(f"dns:{host}")
                raise Egress(f"DNS lookup of {host}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert not attempts, f"egress attempted: {attempts}"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from xops.knowledge.store import KnowledgeStore

    monkeypatch.setenv("XOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XOPS_CHROMA_URL", raising=False)
    KnowledgeStore.reset_default()
    yield tmp_path / "data"
    KnowledgeStore.reset_default()
