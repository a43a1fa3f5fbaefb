"""QR output (SVG, PNG, data URI, terminal) and decoding back."""
from __future__ import annotations

import base64
import struct
import zlib

import pytest

import mfakit
from mfakit import qr
from conftest import SOURCE_ROOT

URI = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQ&issuer=Example"


def test_round_trips() -> None:
    png = qr.png(URI, ec=qr.ErrorCorrection.HIGH, border=2, scale=3)
    assert png.startswith(b"\x89PNG") and qr.decode_png_text(png) == [URI]
    uri = qr.png_data_uri(URI)
    assert qr.decode_png(base64.b64decode(uri.split(",", 1)[1])) == [URI.encode()]
    svg = qr.svg(URI, scale=4)
    assert "<svg" in svg and "</svg>" in svg
    term = qr.terminal(URI)
    assert "\u2580" in term or "\u2584" in term or "\u2588" in term
    assert qr.decode_png(qr.png(b"a\x00b")) == [b"a\x00b"]  # exact bytes, NULs too
    assert qr.decode_image(png) == [URI.encode()]  # PNG (or JPEG) recognised by its first bytes
    with pytest.raises(mfakit.MfaError) as e:
        qr.decode_image(b"neither PNG nor JPEG")
    assert e.value.name == "MFA_ERR_PARSE"
    assert "<svg" in mfakit.Otp.from_uri(URI).qr_svg()


def test_jpeg() -> None:
    # A colour JPEG screenshot (quality 75, the code inside a window), made outside the SDK.
    shot = (SOURCE_ROOT / "tests" / "vectors" / "import" / "qr-screenshot.jpg").read_bytes()
    assert shot.startswith(b"\xff\xd8\xff")
    [uri] = qr.decode_image(shot)
    otp = mfakit.Otp.from_uri(uri.decode())
    assert (otp.issuer, otp.name, otp.params.digits) == ("ACME Co", "jane@example.com", 8)
    with pytest.raises(mfakit.MfaError) as e:
        qr.decode_png(shot)  # the PNG-only entry point names what it wanted
    assert e.value.name == "MFA_ERR_PARSE"
    with pytest.raises(mfakit.MfaError) as e:
        qr.decode_image(shot[: len(shot) // 3])  # truncated mid-scan
    assert e.value.name in ("MFA_ERR_PARSE", "MFA_ERR_NOT_FOUND")
    with pytest.raises(mfakit.MfaError) as e:
        qr.decode_image(b"\xff\xd8\xff\xe0" + b"\x00" * 64)  # a JPEG header and nothing behind it
    assert e.value.name == "MFA_ERR_PARSE"


def test_errors() -> None:
    with pytest.raises(mfakit.InvalidArgument):
        qr.svg("")
    with pytest.raises(mfakit.InvalidArgument):
        qr.png("x" * (qr.MAX_TEXT + 1))
    with pytest.raises(mfakit.InvalidArgument, match="border"):
        qr.svg("x", border=65)
    with pytest.raises(mfakit.MfaError) as e:
        qr.decode_png(b"not a png")
    assert e.value.name == "MFA_ERR_PARSE"
    with pytest.raises(mfakit.MfaError) as e:
        qr.decode_png(blank_png(64, 64))
    assert e.value.name == "MFA_ERR_NOT_FOUND"


def blank_png(width: int, height: int) -> bytes:
    """A white 8-bit greyscale PNG, written here so that the decoder's input is not our encoder's."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
