#!/usr/bin/python3
"""RFC 6238 (TOTP) and RFC 4226 (HOTP) vectors through the C ABI, from Python with ctypes only:
what a binding in another language sees. MFA_LIBRARY names the libmfa.so to load."""
import ctypes
import os
import unittest
import mfa_unittest

MFA_OK = 0
MFA_ERR_BUFFER_TOO_SMALL = -2
MFA_ERR_OTP_CODE_REPLAYED = -102
MFA_ERR_URI_PARAMETER = -115
MFA_HASH = {"SHA1": 0, "SHA256": 1, "SHA512": 2}
MFA_OTP_HOTP = 1
MFA_OTP_NO_LAST_STEP = 1

SEEDS = {
    "SHA1": b"12345678901234567890",
    "SHA256": b"12345678901234567890123456789012",
    "SHA512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
# RFC 6238 Appendix B.
RFC6238 = [
    (59, "SHA1", "94287082"), (59, "SHA256", "46119246"), (59, "SHA512", "90693936"),
    (1111111109, "SHA1", "07081804"), (1111111109, "SHA256", "68084774"), (1111111109, "SHA512", "25091201"),
    (1111111111, "SHA1", "14050471"), (1111111111, "SHA256", "67062674"), (1111111111, "SHA512", "99943326"),
    (1234567890, "SHA1", "89005924"), (1234567890, "SHA256", "91819424"), (1234567890, "SHA512", "93441116"),
    (2000000000, "SHA1", "69279037"), (2000000000, "SHA256", "90698825"), (2000000000, "SHA512", "38618901"),
    (20000000000, "SHA1", "65353130"), (20000000000, "SHA256", "77737706"), (20000000000, "SHA512", "47863826"),
]
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]


class Params(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_size_t), ("type", ctypes.c_uint32), ("algorithm", ctypes.c_uint32),
                ("digits", ctypes.c_uint32), ("period", ctypes.c_uint32), ("t0", ctypes.c_int64),
                ("counter", ctypes.c_uint64)]


def load():
    lib = ctypes.CDLL(os.environ["MFA_LIBRARY"])
    P = ctypes.POINTER
    otp_p = ctypes.c_void_p
    sz = ctypes.c_size_t
    sigs = {
        "mfa_version": (ctypes.c_char_p, []),
        "mfa_strerror": (ctypes.c_char_p, [ctypes.c_int]),
        "mfa_last_error_message": (ctypes.c_char_p, []),
        "mfa_otp_params_init": (ctypes.c_int, [P(Params)]),
        "mfa_otp_new": (ctypes.c_int, [P(otp_p), P(Params), ctypes.c_char_p, sz, ctypes.c_char_p, ctypes.c_char_p]),
        "mfa_otp_from_uri": (ctypes.c_int, [P(otp_p), ctypes.c_char_p, ctypes.c_void_p]),
        "mfa_otp_free": (None, [P(otp_p)]),
        "mfa_otp_generate": (ctypes.c_int, [otp_p, ctypes.c_char_p, sz, P(sz), ctypes.c_int64]),
        "mfa_otp_set_counter": (ctypes.c_int, [otp_p, ctypes.c_uint64]),
        "mfa_otp_verify_totp": (ctypes.c_int, [otp_p, P(ctypes.c_int64), P(ctypes.c_int64), ctypes.c_char_p,
                                               ctypes.c_int64, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64,
                                               ctypes.c_uint32]),
        "mfa_otp_verify_hotp": (ctypes.c_int, [otp_p, P(ctypes.c_uint64), ctypes.c_char_p, ctypes.c_uint32]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib


class Rfc6238ThroughCtypes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load()

    def new(self, algorithm="SHA1", digits=8, type_=0):
        p = Params()
        self.assertEqual(self.lib.mfa_otp_params_init(ctypes.byref(p)), MFA_OK)
        self.assertEqual(p.struct_size, ctypes.sizeof(Params), "Params layout differs from mfa_otp_params_t")
        p.type = type_
        p.algorithm = MFA_HASH[algorithm]
        p.digits = digits
        seed = SEEDS[algorithm]
        h = ctypes.c_void_p()
        rc = self.lib.mfa_otp_new(ctypes.byref(h), ctypes.byref(p), seed, len(seed), b"Example", b"alice")
        self.assertEqual(rc, MFA_OK, self.lib.mfa_last_error_message())
        self.addCleanup(self.lib.mfa_otp_free, ctypes.byref(h))
        return h

    def code(self, h, t):
        buf = ctypes.create_string_buffer(11)
        n = ctypes.c_size_t()
        self.assertEqual(self.lib.mfa_otp_generate(h, buf, len(buf), ctypes.byref(n), t), MFA_OK)
        self.assertEqual(n.value, len(buf.value))
        return buf.value.decode()

    def test_version(self):
        self.assertRegex(self.lib.mfa_version().decode(), r"^\d+\.\d+\.\d+$")

    def test_vectors_from_params(self):
        for t, alg, expected in RFC6238:
            with self.subTest(time=t, algorithm=alg):
                self.assertEqual(self.code(self.new(alg), t), expected)

    def test_vectors_from_uri(self):
        for t, alg, expected in RFC6238:
            import base64
            secret = base64.b32encode(SEEDS[alg]).decode().rstrip("=")
            uri = f"otpauth://totp/Example:alice?secret={secret}&algorithm={alg}&digits=8&issuer=Example"
            h = ctypes.c_void_p()
            self.assertEqual(self.lib.mfa_otp_from_uri(ctypes.byref(h), uri.encode(), None), MFA_OK)
            try:
                with self.subTest(time=t, algorithm=alg):
                    self.assertEqual(self.code(h, t), expected)
            finally:
                self.lib.mfa_otp_free(ctypes.byref(h))
            self.assertIsNone(h.value, "mfa_otp_free sets the handle to NULL")

    def test_verify_and_replay(self):
        h = self.new()
        step, drift = ctypes.c_int64(), ctypes.c_int64()
        rc = self.lib.mfa_otp_verify_totp(h, ctypes.byref(step), ctypes.byref(drift), b"07081804",
                                          1111111109 + 30, 1, 1, 0, MFA_OTP_NO_LAST_STEP)
        self.assertEqual(rc, MFA_OK)
        self.assertEqual((step.value, drift.value), (1111111109 // 30, -1))
        rc = self.lib.mfa_otp_verify_totp(h, None, None, b"07081804", 1111111109, 1, 1, step.value, 0)
        self.assertEqual(rc, MFA_ERR_OTP_CODE_REPLAYED)

    def test_hotp_vectors(self):
        h = self.new("SHA1", 6, MFA_OTP_HOTP)
        for counter, expected in enumerate(RFC4226):
            self.assertEqual(self.lib.mfa_otp_set_counter(h, counter), MFA_OK)
            self.assertEqual(self.code(h, 0), expected)
        self.assertEqual(self.lib.mfa_otp_set_counter(h, 0), MFA_OK)
        nxt = ctypes.c_uint64()
        self.assertEqual(self.lib.mfa_otp_verify_hotp(h, ctypes.byref(nxt), RFC4226[7].encode(), 10), MFA_OK)
        self.assertEqual(nxt.value, 8)

    def test_errors(self):
        buf = ctypes.create_string_buffer(8)
        n = ctypes.c_size_t()
        self.assertEqual(self.lib.mfa_otp_generate(self.new(), buf, len(buf), ctypes.byref(n), 59),
                         MFA_ERR_BUFFER_TOO_SMALL)
        self.assertEqual(n.value, 8)
        h = ctypes.c_void_p()
        rc = self.lib.mfa_otp_from_uri(ctypes.byref(h), b"otpauth://totp/x?secret=GEZDGNBV&digits=11", None)
        self.assertEqual(rc, MFA_ERR_URI_PARAMETER)
        self.assertIn(b"digits", self.lib.mfa_last_error_message())
        self.assertTrue(self.lib.mfa_strerror(rc))
        self.assertIsNone(h.value)


if __name__ == "__main__":
    mfa_unittest.main()
