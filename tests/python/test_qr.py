"""QR output (SVG, PNG, data URI, terminal) and decoding back."""
from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import mfakit
from mfakit import qr
from conftest import SOURCE_ROOT, needs

URI = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQ&issuer=Example"


@needs("qr_decode")
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


@needs("qr_decode")
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
    if "qr_decode" not in mfakit.features:  # a build without the decoder still encodes; decoding names the option
        for call in (lambda: qr.decode_png(blank_png(64, 64)), lambda: qr.decode_image(b"not an image"),
                     lambda: qr.decode_png_text(qr.png(URI))):
            with pytest.raises(mfakit.MfaError) as e:
                call()
            assert e.value.name == "MFA_ERR_UNSUPPORTED" and "-Dqr_decode=enabled" in str(e.value)
        return
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


# A child process with an empty file of one library's soname first on LD_LIBRARY_PATH: the loader
# cannot load it. Each call reports "ok" or its error name and message.
_CHILD = """
import json, sys
import mfakit
from mfakit import qr
uri, png, jpeg = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
out = {}
for name, call in [("svg", lambda: qr.svg(uri)), ("png", lambda: qr.png(uri)),
                   ("decode_png", lambda: qr.decode_png(png)), ("decode_jpeg", lambda: qr.decode_image(jpeg))]:
    try:
        call()
        out[name] = "ok"
    except mfakit.MfaError as e:
        out[name] = e.name + " " + str(e)
print(json.dumps(out))
"""


@pytest.mark.parametrize("soname, fails", [
    ("libqrencode.so.4", {"svg", "png"}),
    ("libpng16.so.16", {"png", "decode_png"}),
    ("libjpeg.so.62", {"decode_jpeg"}),
    ("libZXing.so.2", {"decode_png", "decode_jpeg"}),
])
def test_missing_library_is_unsupported(tmp_path: Path, soname: str, fails: set[str]) -> None:
    # The QR libraries are loaded on first use (docs/qr.md): one that is missing makes exactly the
    # calls that need it MFA_ERR_UNSUPPORTED, naming it, through the C ABI; the rest work. A build
    # without the decoder (meson -Dqr_decode=disabled) answers every decode so, and still encodes.
    decodes = "qr_decode" in mfakit.features
    png = tmp_path / "code.png"
    png.write_bytes(qr.png(URI))
    jpeg = SOURCE_ROOT / "tests" / "vectors" / "import" / "qr-screenshot.jpg"
    try:
        qr.decode_png(png.read_bytes())
    except mfakit.MfaError as e:
        if e.name != "MFA_ERR_UNSUPPORTED":
            raise
        if decodes:
            pytest.skip(f"this build does not decode QR codes: {e}")
    broken = tmp_path / "libs"
    broken.mkdir()
    (broken / soname).write_bytes(b"")
    r = subprocess.run([sys.executable, "-c", _CHILD, URI, str(png), str(jpeg)], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, LD_LIBRARY_PATH=str(broken)))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for name, result in out.items():
        if not decodes and name.startswith("decode_"):
            assert result.startswith("MFA_ERR_UNSUPPORTED ") and "-Dqr_decode=enabled" in result, (name, result)
        elif name in fails:
            assert result.startswith("MFA_ERR_UNSUPPORTED ") and f"{soname} could not be loaded" in result, (name, result)
        else:
            assert result == "ok", (name, result)
