"""The one place that loads libmfa.so and declares the C ABI (bindings/c/include/mfa/*.h) to ctypes.

Every other module calls the library through `lib` and the helpers here, so that a change of the C
ABI (a caller buffer becoming a `char **` output, a struct growing a field) is made in one place.

Library search order: $MFA_LIBRARY; libmfa.so next to this package (a bundled copy); the path
`meson install` recorded (_install.py); ctypes.util.find_library("mfa"); the soname libmfa.so.0.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

c_int = ctypes.c_int
c_uint = ctypes.c_uint
c_int32 = ctypes.c_int32
c_uint32 = ctypes.c_uint32
c_int64 = ctypes.c_int64
c_uint64 = ctypes.c_uint64
c_size_t = ctypes.c_size_t
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
P = ctypes.POINTER
byref = ctypes.byref

MFA_OK = 0
MFA_ERR_BUFFER_TOO_SMALL = -2
SONAME = "libmfa.so.0"


def _load() -> ctypes.CDLL:
    env = os.environ.get("MFA_LIBRARY")
    if env:
        return ctypes.CDLL(env)
    bundled = Path(__file__).resolve().parent / "libmfa.so"
    if bundled.exists():
        return ctypes.CDLL(str(bundled))
    try:
        from ._install import LIBRARY  # type: ignore[import]  # written by meson install
        if Path(LIBRARY).exists():
            return ctypes.CDLL(LIBRARY)
    except ImportError:  # a source tree or a pip install: no recorded path
        pass
    found = ctypes.util.find_library("mfa")
    try:
        return ctypes.CDLL(found or SONAME)
    except OSError as e:
        raise ImportError(f"mfakit: libmfa.so not found ({e}); install libmfa or set MFA_LIBRARY "
                          "to its path") from e


lib = _load()
_S = TypeVar("_S", bound=ctypes.Structure)


# ---- Structures (field for field as in the headers; struct_size is set by the *_init functions) ----

class OtpParams(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("type", c_uint32), ("algorithm", c_uint32), ("digits", c_uint32),
                ("period", c_uint32), ("t0", c_int64), ("counter", c_uint64)]


class OtpUriOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("issuer_policy", c_uint32)]


class QrOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("ec", c_int), ("border", c_uint32), ("scale", c_uint32)]


class RegistrationRequest(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("user_name", c_char_p), ("display_name", c_char_p),
                ("user_id", c_char_p), ("user_id_len", c_size_t), ("attestation", c_int),
                ("resident_key", c_int), ("extensions_json", c_char_p)]


class RegistrationInfo(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("alg", c_int32), ("sign_count", c_uint32), ("user_verified", c_int),
                ("backup_eligible", c_int), ("backup_state", c_int), ("attestation_trusted", c_int),
                ("fmt", ctypes.c_char * 32), ("attestation_type", ctypes.c_char * 16),
                ("aaguid", ctypes.c_uint8 * 16)]


class AuthenticationInfo(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("sign_count", c_uint32), ("user_verified", c_int),
                ("backup_state", c_int), ("counter_regressed", c_int), ("appid_used", c_int)]


class ServerOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("issuer", c_char_p), ("token_prefix", c_char_p),
                ("free_failures", c_uint32), ("base_delay", c_uint32), ("max_delay", c_uint32),
                ("lock_after", c_uint32), ("lock_duration", c_uint32), ("recovery_codes", c_uint32),
                ("webauthn_rp_id", c_char_p), ("webauthn_rp_name", c_char_p), ("webauthn_origins", c_char_p),
                ("webauthn_challenge_ttl", c_uint32), ("webauthn_user_verification", c_int),
                ("webauthn_discoverable_user_verification", c_int)]


class AuditQuery(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("org", c_char_p), ("subject", c_char_p), ("actor", c_char_p),
                ("type", c_char_p), ("since", c_int64), ("until", c_int64), ("limit", c_size_t), ("cursor", c_char_p)]


class KeyMaintenance(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("max_age", c_int64), ("batch", c_uint32), ("rewrap_delay", c_uint32),
                ("backup_dir", c_char_p), ("backup_retention_days", c_uint32)]


class U2fImportOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("user", c_char_p), ("appid", c_char_p)]


class VerifyResult(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("status", c_int), ("retry_after", c_int64), ("failures", c_uint32),
                ("newly_locked", c_int), ("needs_rehash", c_int), ("amr", ctypes.c_char * 64)]


class MakeCredentialOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("rp_id", c_char_p), ("rp_name", c_char_p), ("user_id", c_char_p),
                ("user_id_len", c_size_t), ("user_name", c_char_p), ("user_display_name", c_char_p),
                ("challenge", c_char_p), ("challenge_len", c_size_t), ("origin", c_char_p),
                ("client_data_hash", c_char_p), ("algorithm", c_int32), ("resident", c_int),
                ("user_verification", c_int), ("pin", c_char_p), ("pin_len", c_size_t), ("cred_protect", c_int),
                ("hmac_secret", c_int)]


class GetAssertionOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("rp_id", c_char_p), ("challenge", c_char_p), ("challenge_len", c_size_t),
                ("origin", c_char_p), ("client_data_hash", c_char_p), ("allow_ids", P(c_char_p)),
                ("allow_id_lens", P(c_size_t)), ("allow_count", c_size_t), ("no_user_presence", c_int),
                ("user_verification", c_int), ("pin", c_char_p), ("pin_len", c_size_t), ("hmac_salt1", c_char_p),
                ("hmac_salt2", c_char_p)]


class SoftTokenOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_size_t), ("presence", c_int), ("attestation", c_int), ("builtin_uv", c_int),
                ("reset_window_ms", c_uint32)]


# ---- Prototypes: every export of bindings/c/mfa.sym ---------------------------------------------------
# Handles are c_void_p; handle outputs P(c_void_p); caller buffers and byte inputs c_char_p (a
# ctypes char array or a bytes object); library-allocated outputs P(c_void_p) (released by take()).
H, HP, S, SZ, SZP = c_void_p, P(c_void_p), c_char_p, c_size_t, P(c_size_t)
BUF = (c_char_p, SZ, SZP)  # (out, cap, &len)

_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    # mfa_common.h
    "mfa_version": (c_char_p, []),
    "mfa_abi_version": (c_int, []),
    "mfa_features": (c_char_p, []),
    "mfa_strerror": (c_char_p, [c_int]),
    "mfa_error_name": (c_char_p, [c_int]),
    "mfa_last_error_message": (c_char_p, []),
    "mfa_free": (None, [c_void_p]),
    "mfa_memzero": (None, [c_void_p, SZ]),
    # mfa_otp.h
    "mfa_otp_params_init": (c_int, [P(OtpParams)]),
    "mfa_otp_uri_options_init": (c_int, [P(OtpUriOptions)]),
    "mfa_otp_new": (c_int, [HP, P(OtpParams), S, SZ, S, S]),
    "mfa_otp_from_uri": (c_int, [HP, S, P(OtpUriOptions)]),
    "mfa_otp_free": (None, [HP]),
    "mfa_otp_get_params": (c_int, [H, P(OtpParams)]),
    "mfa_otp_get_issuer": (c_int, [H, HP]),
    "mfa_otp_get_name": (c_int, [H, HP]),
    "mfa_otp_get_secret": (c_int, [H, HP, SZP]),
    "mfa_otp_set_counter": (c_int, [H, c_uint64]),
    "mfa_otp_generate": (c_int, [H, *BUF, c_int64]),
    "mfa_otp_generate_at": (c_int, [H, *BUF, c_uint64]),
    "mfa_otp_time_step": (c_int, [H, P(c_int64), c_int64]),
    "mfa_otp_seconds_left": (c_int, [H, P(c_uint32), c_int64]),
    "mfa_otp_verify_totp": (c_int, [H, P(c_int64), P(c_int64), S, c_int64, c_uint32, c_uint32, c_int64, c_uint32]),
    "mfa_otp_verify_hotp": (c_int, [H, P(c_uint64), S, c_uint32]),
    "mfa_otp_resync_hotp": (c_int, [H, P(c_uint64), S, S, c_uint32]),
    "mfa_otp_format_uri": (c_int, [H, HP]),
    "mfa_otp_base32_encode": (c_int, [HP, S, SZ]),
    "mfa_otp_base32_decode": (c_int, [HP, SZP, S]),
    "mfa_otp_random_secret": (c_int, [*BUF, SZ]),
    "mfa_otp_migration_parse": (c_int, [HP, S]),
    "mfa_otp_migration_free": (None, [HP]),
    "mfa_otp_migration_get_count": (c_int, [H, SZP]),
    "mfa_otp_migration_get_batch": (c_int, [H, P(c_int32), P(c_int32), P(c_int32)]),
    "mfa_otp_migration_get_account": (c_int, [H, HP, SZ]),
    "mfa_otp_migration_get_uri": (c_int, [H, HP, SZ]),
    "mfa_otp_migration_batch_count": (c_int, [SZP, SZ, SZ]),
    "mfa_otp_migration_build_uri": (c_int, [HP, P(c_void_p), SZ, SZ, c_int32, SZ]),
    # mfa_cose.h
    "mfa_cose_key_alg": (c_int, [P(c_int64), S, SZ, c_uint]),
    "mfa_cose_verify": (c_int, [S, SZ, S, SZ, S, SZ, c_uint]),
    # mfa_webauthn_trust.h
    "mfa_webauthn_trust_new": (c_int, [HP]),
    "mfa_webauthn_trust_free": (None, [HP]),
    "mfa_webauthn_trust_add_pem": (c_int, [H, S, S, SZ]),
    "mfa_webauthn_trust_add_der": (c_int, [H, S, S, SZ]),
    "mfa_webauthn_trust_add_dir": (c_int, [H, S]),
    "mfa_webauthn_trust_load_mds_blob": (c_int, [H, S, S, SZ, c_int64]),
    "mfa_webauthn_trust_get_count": (c_int, [H, SZP, SZP]),
    # mfa_webauthn.h
    "mfa_webauthn_rp_new": (c_int, [HP, S, S]),
    "mfa_webauthn_rp_free": (None, [HP]),
    "mfa_webauthn_rp_add_origin": (c_int, [H, S]),
    "mfa_webauthn_rp_add_top_origin": (c_int, [H, S]),
    "mfa_webauthn_rp_set_user_verification": (c_int, [H, c_int]),
    "mfa_webauthn_rp_set_require_user_presence": (c_int, [H, c_int]),
    "mfa_webauthn_rp_set_algorithms": (c_int, [H, P(c_int32), SZ]),
    "mfa_webauthn_rp_set_backup_policy": (c_int, [H, c_int, c_int]),
    "mfa_webauthn_rp_set_counter_policy": (c_int, [H, c_int]),
    "mfa_webauthn_rp_set_token_binding_policy": (c_int, [H, c_int]),
    "mfa_webauthn_rp_set_appid": (c_int, [H, S]),
    "mfa_webauthn_rp_set_time": (c_int, [H, c_int, c_int64]),
    "mfa_webauthn_rp_set_attestation_policy": (c_int, [H, c_uint32]),
    "mfa_webauthn_rp_set_trust": (c_int, [H, H]),
    "mfa_webauthn_registration_request_init": (c_int, [P(RegistrationRequest)]),
    "mfa_webauthn_registration_options": (c_int, [H, HP, *BUF, *BUF, P(RegistrationRequest)]),
    "mfa_webauthn_authentication_options": (c_int, [H, HP, *BUF, P(c_char_p), SZ, S]),
    "mfa_webauthn_verify_registration": (c_int, [H, HP, P(RegistrationInfo), S, SZ, S, SZ, S, SZ]),
    "mfa_webauthn_credential_from_json": (c_int, [HP, S, SZ]),
    "mfa_webauthn_credential_free": (None, [HP]),
    "mfa_webauthn_credential_get_json": (c_int, [H, HP]),
    "mfa_webauthn_credential_get_id": (c_int, [H, HP, SZP]),
    "mfa_webauthn_credential_get_sign_count": (c_int, [H, P(c_uint32)]),
    "mfa_webauthn_verify_authentication": (c_int, [H, H, P(AuthenticationInfo), S, SZ, S, SZ, S, SZ, c_int]),
    "mfa_webauthn_response_ids": (c_int, [HP, SZP, HP, SZP, S, SZ]),
    # mfa_server.h
    "mfa_server_store_open": (c_int, [HP, S]),
    "mfa_server_store_free": (None, [HP]),
    "mfa_server_keyring_generate": (c_int, [HP]),
    "mfa_server_keyring_rotate": (c_int, [HP, S, SZ]),
    "mfa_server_options_init": (c_int, [P(ServerOptions)]),
    "mfa_server_new": (c_int, [HP, H, S, SZ, P(ServerOptions)]),
    "mfa_server_free": (None, [HP]),
    "mfa_server_totp_begin": (c_int, [H, HP, S, S, S]),
    "mfa_server_totp_confirm": (c_int, [H, P(VerifyResult), S, S, S]),
    "mfa_server_totp_verify": (c_int, [H, P(VerifyResult), S, S, S]),
    "mfa_server_totp_remove": (c_int, [H, S, S, S]),
    "mfa_server_recovery_generate": (c_int, [H, HP, S, S]),
    "mfa_server_recovery_use": (c_int, [H, P(VerifyResult), S, S, SZ, S]),
    "mfa_server_recovery_remaining": (c_int, [H, SZP, S]),
    "mfa_server_password_verify": (c_int, [H, P(VerifyResult), S, S, SZ, S, S]),
    "mfa_server_password_hash": (c_int, [HP, S, SZ]),
    "mfa_server_password_check": (c_int, [S, SZ, S]),
    "mfa_server_token_create": (c_int, [H, HP, S, S, S, c_int64, S]),
    "mfa_server_token_verify": (c_int, [H, HP, S, SZ, S]),
    "mfa_server_token_list": (c_int, [H, HP, S]),
    "mfa_server_token_revoke": (c_int, [H, S, S, S, S]),
    "mfa_server_lock_status": (c_int, [H, HP, S]),
    "mfa_server_unlock": (c_int, [H, S, S, S]),
    "mfa_server_audit_verify": (c_int, [H, P(c_uint64), *BUF]),
    "mfa_server_audit_verify_expect": (c_int, [H, S, P(c_uint64), *BUF]),
    "mfa_server_set_policy": (c_int, [H, S, S, S, S]),
    "mfa_server_login_decision": (c_int, [H, HP, S, S, S]),
    "mfa_server_allowlist_check_ip": (c_int, [S, S]),
    "mfa_server_allowlist_check_email": (c_int, [S, S]),
    "mfa_server_rewrap": (c_int, [H, SZP]),
    "mfa_server_webauthn_register_begin": (c_int, [H, HP, S, S, c_int, S]),
    "mfa_server_webauthn_register_finish": (c_int, [H, HP, S, S, S, S]),
    "mfa_server_webauthn_login_begin": (c_int, [H, HP, S, S]),
    "mfa_server_webauthn_login_finish": (c_int, [H, P(VerifyResult), S, S, S]),
    "mfa_server_webauthn_login_begin_discoverable": (c_int, [H, HP, S]),
    "mfa_server_webauthn_login_finish_discoverable": (c_int, [H, P(VerifyResult), HP, S, S]),
    "mfa_server_webauthn_list": (c_int, [H, HP, S]),
    "mfa_server_webauthn_remove": (c_int, [H, S, S, S, S]),
    # mfa_server.h: administration
    "mfa_server_audit_filter_init": (c_int, [P(AuditQuery)]),
    "mfa_server_audit_query": (c_int, [H, HP, P(AuditQuery)]),
    "mfa_server_audit_export": (c_int, [H, HP, P(AuditQuery)]),
    "mfa_server_audit_append": (c_int, [H, P(c_uint64), S, S, S, S, S, S]),
    "mfa_server_audit_reindex": (c_int, [H, SZP]),
    "mfa_server_membership_set": (c_int, [H, S, S, S, S, S]),
    "mfa_server_membership_get": (c_int, [H, HP, S]),
    "mfa_server_membership_remove": (c_int, [H, S, S, S]),
    "mfa_server_org_members": (c_int, [H, HP, S]),
    "mfa_server_account_delete": (c_int, [H, S, c_int64, S, S]),
    "mfa_server_account_restore": (c_int, [H, S, S, S]),
    "mfa_server_account_status": (c_int, [H, HP, S]),
    "mfa_server_purge": (c_int, [H, HP, c_int64, S]),
    "mfa_server_org_tokens": (c_int, [H, HP, S]),
    "mfa_server_token_revoke_id": (c_int, [H, S, S, S, S]),
    "mfa_server_password_check_org": (c_int, [H, S, S, SZ, S]),
    "mfa_server_password_changed": (c_int, [H, S, S, S]),
    "mfa_server_password_require_change": (c_int, [H, S, S, S, S]),
    "mfa_server_password_state": (c_int, [H, HP, S]),
    "mfa_server_policy_get": (c_int, [H, HP, S]),
    "mfa_server_factor_state": (c_int, [H, HP, S]),
    "mfa_server_role_permissions": (c_int, [HP]),
    "mfa_server_authorize": (c_int, [H, S, S, S, S, S]),
    # mfa_server.h, operations: backups, key maintenance, hardware OTP tokens
    "mfa_server_backup_create": (c_int, [HP, S, S, c_uint32]),
    "mfa_server_backup_list": (c_int, [HP, S]),
    "mfa_server_backup_prune": (c_int, [HP, S, c_uint32]),
    "mfa_server_backup_verify": (c_int, [HP, S]),
    "mfa_server_backup_restore": (c_int, [S, S, c_int]),
    "mfa_server_keyring_maintain": (c_int, [HP, H, S, c_uint32, c_uint32, c_uint32, S, c_uint32]),
    "mfa_server_key_maintenance_init": (c_int, [P(KeyMaintenance)]),
    "mfa_server_keyring_maintain_policy": (c_int, [HP, H, S, P(KeyMaintenance)]),
    "mfa_server_otp_tokens_import": (c_int, [H, HP, S, S, SZ, S, SZ, S, SZ, S, S]),
    "mfa_server_otp_tokens_list": (c_int, [H, HP, S]),
    "mfa_server_otp_tokens_assign": (c_int, [H, S, S, S, S, S]),
    "mfa_server_otp_tokens_unassign": (c_int, [H, S, S, S, S]),
    "mfa_server_otp_tokens_retire": (c_int, [H, S, S, S, S]),
    "mfa_server_otp_tokens_adopt": (c_int, [H, S, S, S, S]),
    "mfa_server_otp_tokens_resync": (c_int, [H, P(VerifyResult), S, S, S, S]),
    # mfa_server.h, migration from google-authenticator-libpam and pam-u2f
    "mfa_server_import_google_authenticator": (c_int, [H, HP, S, S, SZ, S, S]),
    "mfa_server_u2f_import_options_init": (c_int, [P(U2fImportOptions)]),
    "mfa_server_import_pam_u2f": (c_int, [H, HP, S, SZ, P(U2fImportOptions), S, S]),
    # mfa_vault.h
    "mfa_vault_create": (c_int, [HP, S, S, SZ, c_uint32, c_uint32]),
    "mfa_vault_open": (c_int, [HP, S, S, SZ, c_int, c_uint32]),
    "mfa_vault_free": (None, [HP]),
    "mfa_vault_get_count": (c_int, [H, SZP]),
    "mfa_vault_get_id": (c_int, [H, *BUF, SZ]),
    "mfa_vault_list_json": (c_int, [H, HP]),
    "mfa_vault_add_uri": (c_int, [H, *BUF, S, SZ]),
    "mfa_vault_remove": (c_int, [H, S]),
    "mfa_vault_code": (c_int, [H, *BUF, P(c_uint32), S, c_int64]),
    "mfa_vault_hotp_next": (c_int, [H, *BUF, S]),
    "mfa_vault_save": (c_int, [H]),
    "mfa_vault_passwd": (c_int, [H, S, SZ, c_uint32, c_uint32]),
    "mfa_vault_import": (c_int, [H, HP, S, SZ, c_int, S, SZ]),
    # mfa_fido2.h
    "mfa_fido2_device_list_new": (c_int, [HP]),
    "mfa_fido2_device_list_free": (None, [HP]),
    "mfa_fido2_device_list_get_count": (c_int, [H, SZP]),
    "mfa_fido2_device_list_get_path": (c_int, [H, HP, SZ]),
    "mfa_fido2_device_list_get_product": (c_int, [H, HP, SZ]),
    "mfa_fido2_device_open": (c_int, [HP, S]),
    "mfa_fido2_device_free": (None, [HP]),
    "mfa_fido2_device_set_timeout": (c_int, [H, c_int]),
    "mfa_fido2_device_cancel": (c_int, [H]),
    "mfa_fido2_info_json": (c_int, [H, HP]),
    "mfa_fido2_make_credential_options_init": (c_int, [P(MakeCredentialOptions)]),
    "mfa_fido2_make_credential": (c_int, [H, HP, P(MakeCredentialOptions)]),
    "mfa_fido2_credential_free": (None, [HP]),
    "mfa_fido2_credential_get_id": (c_int, [H, HP, SZP]),
    "mfa_fido2_credential_get_public_key": (c_int, [H, HP, SZP]),
    "mfa_fido2_credential_get_attestation_object": (c_int, [H, HP, SZP]),
    "mfa_fido2_credential_get_json": (c_int, [H, HP]),
    "mfa_fido2_get_assertion_options_init": (c_int, [P(GetAssertionOptions)]),
    "mfa_fido2_get_assertion": (c_int, [H, HP, P(GetAssertionOptions)]),
    "mfa_fido2_assertions_free": (None, [HP]),
    "mfa_fido2_assertions_get_count": (c_int, [H, SZP]),
    "mfa_fido2_assertions_get_credential_id": (c_int, [H, HP, SZP, SZ]),
    "mfa_fido2_assertions_get_user_id": (c_int, [H, HP, SZP, SZ]),
    "mfa_fido2_assertions_get_sign_count": (c_int, [H, P(c_uint32), SZ]),
    "mfa_fido2_assertions_get_hmac_secret": (c_int, [H, *BUF, SZ]),
    "mfa_fido2_assertions_get_json": (c_int, [H, HP, SZ]),
    "mfa_fido2_hmac_secret": (c_int, [H, *BUF, S, S, SZ, S, S, S, SZ]),
    "mfa_fido2_webauthn_create": (c_int, [H, HP, S, S, S, SZ]),
    "mfa_fido2_webauthn_get": (c_int, [H, HP, S, S, S, SZ]),
    "mfa_fido2_set_pin": (c_int, [H, S, SZ]),
    "mfa_fido2_change_pin": (c_int, [H, S, SZ, S, SZ]),
    "mfa_fido2_pin_retries": (c_int, [H, P(c_int)]),
    "mfa_fido2_reset": (c_int, [H]),
    "mfa_fido2_credentials_json": (c_int, [H, HP, S, SZ]),
    "mfa_fido2_delete_credential": (c_int, [H, S, SZ, S, SZ]),
    # mfa_softtoken.h
    "mfa_softtoken_options_init": (c_int, [P(SoftTokenOptions)]),
    "mfa_softtoken_start": (c_int, [HP, S, P(SoftTokenOptions)]),
    "mfa_softtoken_get_device_path": (c_int, [H, HP]),
    "mfa_softtoken_stop": (c_int, [H]),
    "mfa_softtoken_free": (None, [HP]),
    # mfa_qr.h
    "mfa_qr_options_init": (c_int, [P(QrOptions)]),
    "mfa_qr_svg": (c_int, [HP, SZP, S, SZ, P(QrOptions)]),
    "mfa_qr_png": (c_int, [HP, SZP, S, SZ, P(QrOptions)]),
    "mfa_qr_png_data_uri": (c_int, [HP, SZP, S, SZ, P(QrOptions)]),
    "mfa_qr_terminal": (c_int, [HP, SZP, S, SZ, P(QrOptions)]),
    "mfa_qr_decode_png": (c_int, [HP, S, SZ]),
    "mfa_qr_decode_image": (c_int, [HP, S, SZ]),
    "mfa_qr_texts_get_count": (c_int, [H, SZP]),
    "mfa_qr_texts_get_text": (c_int, [H, HP, SZP, SZ]),
    "mfa_qr_texts_free": (None, [HP]),
}

for _name, (_res, _args) in _PROTOTYPES.items():
    _fn = getattr(lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args


# Variable-size outputs the library allocates (docs/ABI.md): a text as (char **), bytes or a text
# that may hold NULs as (uint8_t **, size_t *). out_buffer() calls these in that form and every
# other output function with a caller buffer, so the modules do not depend on which it is.
ALLOCATED_TEXT = frozenset({
    "mfa_otp_get_issuer", "mfa_otp_get_name", "mfa_otp_format_uri", "mfa_otp_base32_encode",
    "mfa_otp_migration_get_uri", "mfa_otp_migration_build_uri", "mfa_softtoken_get_device_path",
    "mfa_fido2_device_list_get_path", "mfa_fido2_device_list_get_product",
})
ALLOCATED_BYTES = frozenset({
    "mfa_otp_get_secret", "mfa_otp_base32_decode", "mfa_webauthn_credential_get_id",
    "mfa_fido2_credential_get_id", "mfa_fido2_credential_get_public_key",
    "mfa_fido2_credential_get_attestation_object", "mfa_fido2_assertions_get_credential_id",
    "mfa_fido2_assertions_get_user_id", "mfa_qr_texts_get_text",
})
assert ALLOCATED_TEXT | ALLOCATED_BYTES <= _PROTOTYPES.keys()


# ---- Helpers ---------------------------------------------------------------------------------------

def check(rc: int) -> None:
    """Raises the MfaError subclass for a status other than MFA_OK (the detail is this thread's
    mfa_last_error_message, read at once)."""
    if rc != MFA_OK:
        from .errors import raise_for  # errors imports this module: bound at first failure
        raise_for(rc)


def text_in(s: str | None) -> bytes | None:
    return None if s is None else s.encode()


def secret_in(s: str | None) -> tuple[bytes | None, int]:
    """A secret text (a PIN, a password, a token) as the (pointer, length) pair the C ABI takes;
    (None, 0) for none."""
    if s is None:
        return None, 0
    b = s.encode()
    return b, len(b)


def wipe(buf: ctypes.Array[Any]) -> None:
    ctypes.memset(buf, 0, ctypes.sizeof(buf))


def out_buffer(fn: Callable[..., int], before: Sequence[Any] = (), after: Sequence[Any] = (), *,
               cap: int = 256, secret: bool = False) -> bytes:
    """The one way to read a variable-size output: fn(*before, <output>, *after).

    For a function of ALLOCATED_TEXT / ALLOCATED_BYTES the output is (&ptr) / (&ptr, &len), taken
    and released with mfa_free (which wipes it). For any other, a caller buffer (out, cap, &len),
    grown to the size reported with MFA_ERR_BUFFER_TOO_SMALL and retried; secret: the buffer is
    wiped before it is released. Either way the returned bytes object is the caller's copy."""
    name = getattr(fn, "__name__", "")
    if name in ALLOCATED_TEXT or name in ALLOCATED_BYTES:
        return owned(fn, before, after, with_length=name in ALLOCATED_BYTES)
    while True:
        buf = ctypes.create_string_buffer(cap)
        n = c_size_t()
        try:
            rc = fn(*before, buf, cap, byref(n), *after)
            if rc == MFA_ERR_BUFFER_TOO_SMALL and n.value + 1 > cap:
                cap = n.value + 1
                continue
            check(rc)
            return buf.raw[:n.value]
        finally:
            if secret:
                wipe(buf)


def out_text(fn: Callable[..., int], before: Sequence[Any] = (), after: Sequence[Any] = (), *,
             cap: int = 256, secret: bool = False) -> str:
    return out_buffer(fn, before, after, cap=cap, secret=secret).decode()


def take(ptr: c_void_p, length: int | None = None) -> bytes:
    """The bytes of a library-allocated output, which is released (and wiped) with mfa_free."""
    if not ptr.value:
        return b""
    try:
        return ctypes.string_at(ptr.value, length) if length is not None else ctypes.string_at(ptr.value)
    finally:
        lib.mfa_free(ptr)
        ptr.value = None


def take_text(ptr: c_void_p, length: int | None = None) -> str:
    return take(ptr, length).decode()


def take_json(ptr: c_void_p) -> Any:
    return json.loads(take(ptr))


def owned(fn: Callable[..., int], before: Sequence[Any] = (), after: Sequence[Any] = (), *,
          with_length: bool = False) -> bytes:
    """Calls fn(*before, &out, *after) (with_length: fn(*before, &out, &len, *after)) for a
    library-allocated output and returns its bytes; the output is released with mfa_free (wiped)."""
    out, n = c_void_p(), c_size_t()
    try:
        check(fn(*before, byref(out), *((byref(n),) if with_length else ()), *after))
        return take(out, n.value if with_length else None)
    finally:
        if out.value:
            lib.mfa_free(out)


def owned_json(fn: Callable[..., int], before: Sequence[Any] = (), after: Sequence[Any] = ()) -> Any:
    return json.loads(owned(fn, before, after))


def json_in(value: Any) -> bytes:
    """A JSON argument given as a str, bytes, or a Python value to serialise."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value, separators=(",", ":")).encode()


def initialized(struct_type: type[_S], init: Callable[..., int]) -> _S:
    s = struct_type()
    check(init(byref(s)))
    return s


class Handle:
    """An owned C handle: close() releases it (idempotent); a context manager; __del__ is the
    safety net for handles that were never closed."""

    _free: Callable[..., None]
    _ptr: c_void_p

    def __init__(self, ptr: c_void_p) -> None:
        self._ptr = ptr

    @property
    def _h(self) -> c_void_p:
        if not self._ptr.value:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    @property
    def closed(self) -> bool:
        return not self._ptr.value

    def close(self) -> None:
        ptr = getattr(self, "_ptr", None)
        if ptr is not None and ptr.value:
            type(self)._free(byref(ptr))

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone already
            pass


def new_handle(fn: Callable[..., int], *args: Any, handle_first: Any = None) -> c_void_p:
    """Calls a constructor fn(&handle, *args) (or fn(handle_first, &handle, *args), for results of an
    operation on another handle) and returns the new handle's pointer."""
    ptr = c_void_p()
    check(fn(byref(ptr), *args) if handle_first is None else fn(handle_first, byref(ptr), *args))
    return ptr
