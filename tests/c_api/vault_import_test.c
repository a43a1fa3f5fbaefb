/* Importing other apps' exports into a vault through the C ABI: detection, the password-protected
 * formats (2FAS, both andOTP layouts), duplicates, wrong passwords and bad arguments leave the vault
 * unchanged. Reads the fixtures of tests/vectors/import (MFA_SOURCE_DIR). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static const char *kPassword = "correct horse battery"; /* tests/vectors/import/make_encrypted.py */

/* The whole fixture file; *len its size. Exits 2 when it cannot be read (a broken checkout). */
static unsigned char *fixture(const char *name, size_t *len) {
    const char *src = getenv("MFA_SOURCE_DIR");
    char path[4096];
    FILE *f;
    unsigned char *buf;
    long n;
    snprintf(path, sizeof path, "%s/tests/vectors/import/%s", src != NULL ? src : ".", name);
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) exit(2);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static size_t count_of(const mfa_vault_t *v) {
    size_t n = 0;
    CHECK_RC(mfa_vault_get_count(v, &n), MFA_OK);
    return n;
}

/* How many accounts a report says were imported. */
static size_t imported_in(const char *report) {
    size_t n = 0;
    const char *p = report;
    while (p != NULL && (p = strstr(p, "{\"id\":")) != NULL) {
        ++n;
        ++p;
    }
    return n;
}

/* Imports a fixture; returns the status and leaves the report in *report (NULL on error). */
static int import_file(mfa_vault_t *v, char **report, const char *name, int format, const char *password) {
    size_t len = 0;
    unsigned char *data = fixture(name, &len);
    int rc = mfa_vault_import(v, report, data, len, format, password, password != NULL ? strlen(password) : 0);
    free(data);
    return rc;
}

int main(void) {
    char dir[2048], path[4096];
    mfa_vault_t *v = NULL;
    char *report = NULL;
    size_t before = 0;
    {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/vault-import-c-api-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL) return 2;
        snprintf(path, sizeof path, "%s/import.mfa", dir);
    }
    CHECK_RC(mfa_vault_create(&v, path, "pass", 4, 19456u, 2u), MFA_OK);

    /* A URI list, recognised from its content; the account of its migration URI has alice's secret,
     * so it is reported as a duplicate rather than stored twice. */
    CHECK_RC(import_file(v, &report, "uris.txt", MFA_VAULT_IMPORT_AUTO, NULL), MFA_OK);
    CHECK(report != NULL && strstr(report, "\"format\":\"otpauth URI list\"") != NULL);
    CHECK(report != NULL && strstr(report, "\"label\":\"Example:alice@example.com\"") != NULL);
    CHECK(report != NULL && strstr(report, "\"duplicates\":[\"GitHub:alice (same secret as") != NULL);
    CHECK(imported_in(report) == 2);
    CHECK(count_of(v) == 2);
    mfa_free(report);
    report = NULL;

    /* Password-protected 2FAS: no password, a wrong one, then the right one. */
    before = count_of(v);
    CHECK_RC(import_file(v, &report, "2fas-encrypted.2fas", MFA_VAULT_IMPORT_AUTO, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK(report == NULL);
    CHECK_RC(import_file(v, &report, "2fas-encrypted.2fas", MFA_VAULT_IMPORT_AUTO, "wrong"), MFA_ERR_VAULT_WRONG_PASSPHRASE);
    CHECK(report == NULL);
    CHECK(count_of(v) == before);
    CHECK_RC(import_file(v, &report, "2fas-encrypted.2fas", MFA_VAULT_IMPORT_2FAS, kPassword), MFA_OK);
    CHECK(imported_in(report) > 0);
    CHECK(count_of(v) == before + imported_in(report));
    before = count_of(v);
    mfa_free(report);
    report = NULL;
    /* The plain twin holds the same accounts: every one is a duplicate. */
    CHECK_RC(import_file(v, &report, "2fas.2fas", MFA_VAULT_IMPORT_AUTO, NULL), MFA_OK);
    CHECK(report != NULL && strstr(report, "\"imported\":[]") != NULL);
    CHECK(report != NULL && strstr(report, "\"duplicates\":[\"") != NULL);
    mfa_free(report);
    report = NULL;
    CHECK(count_of(v) == before);

    /* andOTP: the plain file, then both encrypted layouts, which must hold the same accounts. */
    CHECK_RC(import_file(v, &report, "andotp.json", MFA_VAULT_IMPORT_AUTO, NULL), MFA_OK);
    mfa_free(report);
    report = NULL;
    before = count_of(v);
    CHECK_RC(import_file(v, &report, "andotp-encrypted.json.aes", MFA_VAULT_IMPORT_AUTO, kPassword), MFA_ERR_UNSUPPORTED);
    CHECK_DETAIL("andOTP");
    CHECK(import_file(v, &report, "andotp-encrypted.json.aes", MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED, "wrong") ==
          MFA_ERR_VAULT_WRONG_PASSPHRASE);
    CHECK_RC(import_file(v, &report, "andotp-encrypted.json.aes", MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED, kPassword), MFA_OK);
    CHECK(report != NULL && strstr(report, "\"imported\":[]") != NULL);
    mfa_free(report);
    report = NULL;
    CHECK_RC(import_file(v, &report, "andotp-encrypted-old.json.aes", MFA_VAULT_IMPORT_ANDOTP_ENCRYPTED_OLD, kPassword), MFA_OK);
    CHECK(report != NULL && strstr(report, "\"imported\":[]") != NULL);
    mfa_free(report);
    report = NULL;
    CHECK(count_of(v) == before);

    /* Bad arguments and malformed input change nothing. */
    CHECK_RC(mfa_vault_import(NULL, &report, (const uint8_t *)"x", 1, MFA_VAULT_IMPORT_AUTO, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_vault_import(v, NULL, (const uint8_t *)"x", 1, MFA_VAULT_IMPORT_AUTO, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_vault_import(v, &report, NULL, 1, MFA_VAULT_IMPORT_AUTO, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_vault_import(v, &report, (const uint8_t *)"x", 1, MFA_VAULT_IMPORT_AUTO, NULL, 3), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_vault_import(v, &report, (const uint8_t *)"x", 1, 99, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("format");
    {
        const char *bad = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\notpauth://totp/C:d?secret=!!\n";
        CHECK(mfa_vault_import(v, &report, (const uint8_t *)bad, strlen(bad), MFA_VAULT_IMPORT_URI_LIST, NULL, 0) != MFA_OK);
        CHECK_DETAIL("line 2");
    }
    CHECK(report == NULL);
    CHECK(count_of(v) == before);

    /* Import options OR'ed into format: skip bad lines (reported with their numbers), and the issuer
     * policy for URIs whose issuer parameter and label prefix differ. */
    {
        const char *mixed = "otpauth://totp/Label:p?secret=JBSWY3DPEHPK3PXR&issuer=Param\n"
                            "otpauth://totp/C:d?secret=!!\n";
        const size_t n = strlen(mixed);
        CHECK_RC(mfa_vault_import(v, &report, (const uint8_t *)mixed, n, MFA_VAULT_IMPORT_URI_LIST | MFA_VAULT_IMPORT_SKIP_INVALID,
                                  NULL, 0),
                 MFA_ERR_URI_ISSUER_MISMATCH);
        CHECK_DETAIL("line 1");
        CHECK(count_of(v) == before);
        CHECK_RC(mfa_vault_import(v, &report, (const uint8_t *)mixed, n,
                                  MFA_VAULT_IMPORT_AUTO | MFA_VAULT_IMPORT_SKIP_INVALID | MFA_VAULT_IMPORT_ISSUER_PARAM, NULL, 0),
                 MFA_OK);
        CHECK(report != NULL && strstr(report, "\"label\":\"Param:p\"") != NULL);
        CHECK(report != NULL && strstr(report, "\"invalid\":[\"line 2: ") != NULL);
        CHECK(report != NULL && strstr(report, "\"warnings\":[]") != NULL);
        CHECK(count_of(v) == before + 1);
        mfa_free(report);
        report = NULL;
        CHECK_RC(mfa_vault_import(v, &report, (const uint8_t *)mixed, n,
                                  MFA_VAULT_IMPORT_URI_LIST | MFA_VAULT_IMPORT_ISSUER_PARAM | MFA_VAULT_IMPORT_ISSUER_LABEL, NULL, 0),
                 MFA_ERR_INVALID_ARGUMENT);
        CHECK_DETAIL("MFA_VAULT_IMPORT_ISSUER_PARAM");
        CHECK_RC(mfa_vault_import(v, &report, (const uint8_t *)mixed, n, MFA_VAULT_IMPORT_URI_LIST | 0x10000, NULL, 0),
                 MFA_ERR_INVALID_ARGUMENT);
        CHECK(count_of(v) == before + 1);
        ++before;
    }

    /* What was imported survives a save and a reopen. */
    CHECK_RC(mfa_vault_save(v), MFA_OK);
    mfa_vault_free(&v);
    CHECK_RC(mfa_vault_open(&v, path, "pass", 4, 0, 0), MFA_OK);
    CHECK(v != NULL && count_of(v) == before);
    mfa_vault_free(&v);

    {
        char p[4200];
        snprintf(p, sizeof p, "%s/import.mfa", dir);
        remove(p);
        snprintf(p, sizeof p, "%s/import.mfa.lock", dir);
        remove(p);
        rmdir(dir);
    }
    return check_finish("c_api_vault_import");
}
