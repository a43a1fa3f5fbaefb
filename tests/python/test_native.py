"""_native.py declares exactly the exports of bindings/c/mfa.sym (a new C function is not reachable
from Python until it is declared; a removed one must not linger), each with argtypes and restype,
and the option and result structures have the sizes their _init functions report."""
from __future__ import annotations

import ctypes
import re

from mfakit import _native as n

from conftest import SOURCE_ROOT


def test_prototypes_are_the_export_list() -> None:
    sym = (SOURCE_ROOT / "bindings/c/mfa.sym").read_text()
    exported = set(re.findall(r"^\s*(mfa_\w+);", sym, re.M))
    assert len(exported) > 150
    assert set(n._PROTOTYPES) == exported
    for name in exported:
        fn = getattr(n.lib, name)
        assert fn.argtypes is not None, name
    assert n.ALLOCATED_TEXT.isdisjoint(n.ALLOCATED_BYTES)


def test_struct_sizes_match_the_library() -> None:
    for struct, init in [(n.OtpParams, "mfa_otp_params_init"), (n.OtpUriOptions, "mfa_otp_uri_options_init"),
                         (n.QrOptions, "mfa_qr_options_init"),
                         (n.RegistrationRequest, "mfa_webauthn_registration_request_init"),
                         (n.ServerOptions, "mfa_server_options_init"),
                         (n.MakeCredentialOptions, "mfa_fido2_make_credential_options_init"),
                         (n.GetAssertionOptions, "mfa_fido2_get_assertion_options_init"),
                         (n.SoftTokenOptions, "mfa_softtoken_options_init")]:
        s = n.initialized(struct, getattr(n.lib, init))
        assert s.struct_size == ctypes.sizeof(struct), struct.__name__
