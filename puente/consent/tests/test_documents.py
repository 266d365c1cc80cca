"""The file checks, pure: the type comes from the magic bytes only, and the size limits hold at the boundary."""

import pytest

from puente.consent import documents as d
from puente.consent.tests.util import data_url, jpeg, pdf, png

LIMIT = 1000


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        (d.SIGNATURE, png(), d.PNG),
        (d.SIGNATURE, pdf(), "wrong_type"),
        (d.SIGNATURE, jpeg(), "wrong_type"),
        (d.SIGNATURE, b"GIF89a" + b"\x00" * 20, "wrong_type"),
        (d.SIGNATURE, b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "wrong_type"),  # magic number, no IHDR: not a PNG
        (d.SIGNATURE, b"", "empty"),
        (d.FORM, pdf(), d.PDF),
        (d.FORM, jpeg(), d.JPEG),
        (d.FORM, png(), d.PNG),
        (d.FORM, b"<html><script>alert(1)</script></html>", "wrong_type"),
        (d.FORM, b"PK\x03\x04 a zip or a .docx", "wrong_type"),
        (d.FORM, b"MZ\x90\x00 an executable", "wrong_type"),
        (d.FORM, b" %PDF-1.4 not at the start", "wrong_type"),
        (d.FORM, b"\xff\xd8", "wrong_type"),  # a truncated JPEG marker
        (d.FORM, b"", "empty"),
    ],
)
def test_it_decides_the_type_from_the_bytes(kind, content, expected):
    if "/" in expected:
        assert d.check(kind, content, LIMIT) == expected
    else:
        with pytest.raises(d.DocumentError) as refused:
            d.check(kind, content, LIMIT)
        assert refused.value.code == expected


@pytest.mark.parametrize(("size", "allowed"), [(LIMIT - 1, True), (LIMIT, True), (LIMIT + 1, False)])
def test_it_enforces_the_size_limit_at_the_boundary(size, allowed):
    for kind, content in [(d.FORM, pdf(size)), (d.SIGNATURE, png(pad_to=size))]:
        assert len(content) == size
        if allowed:
            assert d.check(kind, content, LIMIT)
        else:
            with pytest.raises(d.DocumentError, match="too_big"):
                d.check(kind, content, LIMIT)


@pytest.mark.parametrize(
    ("size", "allowed"),
    [(d.SIGNATURE_MAX_BYTES - 1, True), (d.SIGNATURE_MAX_BYTES, True), (d.SIGNATURE_MAX_BYTES + 1, False)],
)
def test_it_limits_a_drawn_signature_to_300_kb(size, allowed):
    url = data_url(png(pad_to=size))
    if allowed:
        assert len(d.decode_signature(url)) == size
    else:
        with pytest.raises(d.DocumentError, match="too_big"):
            d.decode_signature(url)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("data:image/jpeg;base64," + data_url(png()).split(",")[1], "wrong_type"),
        ("data:image/png;base64,!!!not base64!!!", "unreadable"),
        ("data:image/png;base64,", "empty"),
        (data_url(pdf()), "wrong_type"),  # claims PNG, is a PDF
        ("javascript:alert(1)", "wrong_type"),
    ],
)
def test_it_refuses_a_bad_signature_data_url(value, code):
    with pytest.raises(d.DocumentError) as refused:
        d.decode_signature(value)
    assert refused.value.code == code
