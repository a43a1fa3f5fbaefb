"""QR codes (mfa_qr.h): an otpauth:// URI as SVG, PNG, a PNG data URI or terminal text, and the QR
codes of a PNG image read back. A QR picture of an otpauth URI is as secret as the URI: the
library's copies are wiped when released. Every function is thread-safe."""
from __future__ import annotations

import ctypes
import enum
from typing import Any, Callable

from . import _native as n
from ._native import byref, check, lib

MAX_TEXT = 2953


class ErrorCorrection(enum.IntEnum):
    LOW = 0
    MEDIUM = 1
    QUARTILE = 2
    HIGH = 3


def _options(ec: ErrorCorrection | int, border: int, scale: int) -> n.QrOptions:
    opts = n.initialized(n.QrOptions, lib.mfa_qr_options_init)
    opts.ec, opts.border, opts.scale = int(ec), border, scale
    return opts


def _encode(fn: Callable[..., int], text: str | bytes, ec: ErrorCorrection | int, border: int, scale: int) -> bytes:
    data = text.encode() if isinstance(text, str) else bytes(text)
    out, length = ctypes.c_void_p(), ctypes.c_size_t()
    opts = _options(ec, border, scale)
    check(fn(byref(out), byref(length), data, len(data), byref(opts)))
    return n.take(out, length.value)


def svg(text: str | bytes, *, ec: ErrorCorrection | int = ErrorCorrection.MEDIUM, border: int = 4, scale: int = 6) -> str:
    """A standalone SVG document."""
    return _encode(lib.mfa_qr_svg, text, ec, border, scale).decode()


def png(text: str | bytes, *, ec: ErrorCorrection | int = ErrorCorrection.MEDIUM, border: int = 4, scale: int = 6) -> bytes:
    """A 1-bit greyscale PNG image."""
    return _encode(lib.mfa_qr_png, text, ec, border, scale)


def png_data_uri(text: str | bytes, *, ec: ErrorCorrection | int = ErrorCorrection.MEDIUM, border: int = 4,
                 scale: int = 6) -> str:
    """"data:image/png;base64,..." for an <img src>."""
    return _encode(lib.mfa_qr_png_data_uri, text, ec, border, scale).decode()


def terminal(text: str | bytes, *, ec: ErrorCorrection | int = ErrorCorrection.MEDIUM, border: int = 4) -> str:
    """UTF-8 half blocks with ANSI colours, for a terminal."""
    return _encode(lib.mfa_qr_terminal, text, ec, border, 1).decode()


def decode_png(image: bytes) -> list[bytes]:
    """The exact bytes of every QR code in a PNG image (MfaError MFA_ERR_NOT_FOUND when there is none)."""
    return _decode(lib.mfa_qr_decode_png, image)


def decode_image(image: bytes) -> list[bytes]:
    """The same for a PNG or a JPEG image (recognised by its first bytes)."""
    return _decode(lib.mfa_qr_decode_image, image)


def _decode(fn: Callable[..., int], image: bytes) -> list[bytes]:
    texts = n.new_handle(fn, bytes(image), len(image))
    try:
        count = ctypes.c_size_t()
        check(lib.mfa_qr_texts_get_count(texts, byref(count)))
        return [n.out_buffer(lib.mfa_qr_texts_get_text, (texts,), (i,), cap=1024, secret=True)
                for i in range(count.value)]
    finally:
        lib.mfa_qr_texts_free(byref(texts))


def decode_png_text(image: bytes) -> list[str]:
    """decode_png as UTF-8 texts (an otpauth URI ...)."""
    return [t.decode() for t in decode_png(image)]


__all__: list[Any] = ["ErrorCorrection", "svg", "png", "png_data_uri", "terminal", "decode_png", "decode_image", "decode_png_text"]
