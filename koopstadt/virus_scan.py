"""Virus scan of uploads through clamd's INSTREAM command (Unix socket or TCP).

Configured by ``CLAMD_SOCKET`` or ``CLAMD_HOST``/``CLAMD_PORT``; with neither set there is no scan.
When a scanner is configured but cannot be reached, uploads are refused (fail closed): a file that
was not scanned is never stored.
"""

import logging
import socket
import struct
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger("koopstadt.security")

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The configured scanner did not answer (not running, timeout, unexpected answer)."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        connection.connect(settings.CLAMD_SOCKET)
        return connection
    return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)


def scan_bytes(data: bytes) -> ScanResult:
    """Send ``data`` to clamd and return its verdict; raise ScannerUnavailable when there is none."""
    try:
        with _connect() as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = connection.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: <signature> FOUND" or "<message> ERROR"
    if answer.endswith(" OK"):
        return ScanResult(clean=True)
    if answer.endswith(" FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature)
    raise ScannerUnavailable(f"unexpected answer from clamd: {answer[:200]!r}")
