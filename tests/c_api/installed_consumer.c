/* A program as a user writes it against the installed package: `#include <mfa/mfa.h>` and
 * `pkg-config --cflags --libs mfa`. tests/abi_install.sh compiles and runs it. */
#include <mfa/mfa.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    if (mfa_abi_version() != MFA_SOVERSION) {
        fprintf(stderr, "header soversion %d, library %d\n", MFA_SOVERSION, mfa_abi_version());
        return 1;
    }
    if (strcmp(mfa_version(), MFA_VERSION_STRING) != 0) {
        fprintf(stderr, "header version %s, library %s\n", MFA_VERSION_STRING, mfa_version());
        return 1;
    }
    /* The first RFC 6238 vector through the installed library. */
    mfa_otp_t *otp = NULL;
    int rc = mfa_otp_from_uri(&otp, "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8", NULL);
    if (rc != MFA_OK) {
        fprintf(stderr, "mfa_otp_from_uri: %s (%s)\n", mfa_strerror(rc), mfa_last_error_message());
        return 1;
    }
    char code[MFA_OTP_CODE_CAPACITY];
    size_t len = 0;
    rc = mfa_otp_generate(otp, code, sizeof code, &len, 59);
    mfa_otp_free(&otp);
    if (rc != MFA_OK || strcmp(code, "94287082") != 0) {
        fprintf(stderr, "mfa_otp_generate: rc %d, code %s\n", rc, rc == MFA_OK ? code : "-");
        return 1;
    }
    printf("ok: libmfa %s (soversion %d), RFC 6238 T=59 -> %s\n", mfa_version(), mfa_abi_version(), code);
    return 0;
}
