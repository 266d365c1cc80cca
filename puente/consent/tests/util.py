"""Synthetic files for the consent document tests (no real signatures or forms)."""

import base64
import struct
import zlib


def png(width: int = 4, height: int = 2, pad_to: int = 0) -> bytes:
    """A real, valid PNG (black pixels), optionally padded with a private chunk to exactly `pad_to` bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x00\x00\x00\xff" * width for _ in range(height))
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(raw))
    end = chunk(b"IEND", b"")
    if pad_to:
        filler = pad_to - len(head) - len(body) - len(end) - 12
        assert filler >= 0
        body += chunk(b"puTe", b"\x00" * filler)
    data = head + body + end
    assert not pad_to or len(data) == pad_to
    return data


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def pdf(size: int = 0) -> bytes:
    data = b"%PDF-1.4\n% synthetic consent form\n%%EOF\n"
    return data + b"\n" * max(0, size - len(data))


def jpeg(size: int = 0) -> bytes:
    data = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 8 + b"\xff\xd9"
    return data + b"\x00" * max(0, size - len(data))
