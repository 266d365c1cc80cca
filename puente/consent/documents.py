"""Checks for the signature and signed-form files, pure (no ORM): the type comes from the file's first bytes
(magic numbers), never from the browser's declared content type, and each kind has a size limit."""

import base64
import binascii
import hashlib

PNG = "image/png"
JPEG = "image/jpeg"
PDF = "application/pdf"

# Magic numbers (PNG spec §5.2, JPEG SOI + marker, PDF header). A file is what its bytes say it is.
MAGIC = [
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"%PDF-", PDF),
]
EXTENSIONS = {PNG: "png", JPEG: "jpg", PDF: "pdf"}

SIGNATURE = "signature"
FORM = "form"
ALLOWED = {SIGNATURE: (PNG,), FORM: (PDF, JPEG, PNG)}

SIGNATURE_MAX_BYTES = 300 * 1024
DEFAULT_FORM_MAX_MB = 10
DATA_URL_PREFIX = "data:image/png;base64,"


class DocumentError(ValueError):
    """A refused file; `code` is one of: empty, too_big, wrong_type, unreadable."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> str | None:
    """The content type the bytes announce, or None when they are none of the accepted types."""
    for magic, content_type in MAGIC:
        if data.startswith(magic):
            # A PNG's first chunk must be IHDR; a bare magic number followed by junk is not a picture.
            if content_type == PNG and data[12:16] != b"IHDR":
                return None
            return content_type
    return None


def check(kind: str, data: bytes, max_bytes: int) -> str:
    """Validate a file of this kind and return its real content type; raise `DocumentError` otherwise."""
    if not data:
        raise DocumentError("empty")
    if len(data) > max_bytes:
        raise DocumentError("too_big")
    content_type = sniff(data)
    if content_type not in ALLOWED[kind]:
        raise DocumentError("wrong_type")
    return content_type


def decode_signature(data_url: str, max_bytes: int = SIGNATURE_MAX_BYTES) -> bytes:
    """The PNG bytes of the signature pad's data URL (`data:image/png;base64,...`), checked."""
    if not data_url.startswith(DATA_URL_PREFIX):
        raise DocumentError("wrong_type")
    encoded = data_url[len(DATA_URL_PREFIX) :]
    # Refuse before decoding when the text alone is already too long for the limit (base64 is 4 chars per 3 bytes).
    if len(encoded) > (max_bytes + 2) // 3 * 4:
        raise DocumentError("too_big")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DocumentError("unreadable") from None
    check(SIGNATURE, data, max_bytes)
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
