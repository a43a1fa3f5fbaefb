/* The vault's C ABI from C99: create, add from a URI, codes, HOTP next, save, reopen, passwd,
 * error codes and buffer sizes. Works in a fresh directory under $TMPDIR (or /tmp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdlib.h>
#include <dirent.h>
#include <unistd.h>

#include "mfa/mfa.h"

static int failures = 0;

/* Removes the files of a directory (one level deep for backups/), then the directory. */
static void remove_tree(const char *dir, int depth) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];
    if (d == NULL) return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (remove(p) != 0 && depth > 0) remove_tree(p, depth - 1);
    }
    closedir(d);
    rmdir(dir);
}
#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: %s\n", __FILE__, __LINE__, #cond, \
                    mfa_last_error_message());                                      \
            ++failures;                                                             \
        }                                                                           \
    } while (0)

/* The production floor, to keep the test quick: 19 MiB, 2 passes. */
#define MEM 19456u
#define PASSES 2u

int main(int argc, char **argv) {
    char path[4096];
    char dir[2048];
    const char *pass = "c api passphrase";
    mfa_vault_t *v = NULL;
    char id[64], id2[64], code[16];
    size_t len = 0, count = 0;
    uint32_t left = 0;
    char *json = NULL;
    (void)argc;
    (void)argv;
    {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/vault-c-api-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL) return 2;
        snprintf(path, sizeof path, "%s/c-api.mfa", dir);
    }

    CHECK(mfa_vault_create(&v, path, pass, strlen(pass), 1024, 1) == MFA_ERR_VAULT_KDF_PARAMS);
    CHECK(v == NULL);
    CHECK(mfa_vault_create(&v, path, pass, strlen(pass), MEM, PASSES) == MFA_OK);
    CHECK(v != NULL);
    {
        const char *totp = "otpauth://totp/RFC:6238?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8&issuer=RFC";
        const char *hotp = "otpauth://hotp/RFC:4226?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0&issuer=RFC";
        CHECK(mfa_vault_add_uri(v, id, sizeof id, &len, totp, strlen(totp)) == MFA_OK);
        CHECK(len == 32);
        CHECK(mfa_vault_add_uri(v, id2, sizeof id2, &len, hotp, strlen(hotp)) == MFA_OK);
        CHECK(mfa_vault_add_uri(v, NULL, 0, NULL, totp, strlen(totp)) == MFA_ERR_VAULT_DUPLICATE);
        CHECK(mfa_vault_add_uri(v, NULL, 0, NULL, "http://x", 8) == MFA_ERR_URI_SCHEME);
    }
    CHECK(mfa_vault_code(v, code, sizeof code, &len, &left, id, 59) == MFA_OK);
    CHECK(strcmp(code, "94287082") == 0);
    CHECK(left == 1);
    CHECK(mfa_vault_code(v, code, 4, &len, NULL, id, 59) == MFA_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 8);
    CHECK(mfa_vault_code(v, code, sizeof code, &len, NULL, id2, 59) == MFA_ERR_INVALID_ARGUMENT);
    CHECK(mfa_vault_code(v, code, sizeof code, &len, NULL, "nope", 59) == MFA_ERR_NOT_FOUND);
    CHECK(mfa_vault_hotp_next(v, code, 3, &len, id2) == MFA_ERR_BUFFER_TOO_SMALL);
    CHECK(mfa_vault_hotp_next(v, code, sizeof code, &len, id2) == MFA_OK);
    CHECK(strcmp(code, "755224") == 0);
    CHECK(mfa_vault_save(v) == MFA_OK);
    mfa_vault_free(&v);
    CHECK(v == NULL);
    mfa_vault_free(&v); /* NULL-safe */

    CHECK(mfa_vault_open(&v, path, "wrong", 5, 0) == MFA_ERR_VAULT_WRONG_PASSPHRASE);
    CHECK(strlen(mfa_strerror(MFA_ERR_VAULT_WRONG_PASSPHRASE)) > 0);
    CHECK(mfa_vault_open(&v, path, pass, strlen(pass), 0) == MFA_OK);
    CHECK(mfa_vault_get_count(v, &count) == MFA_OK && count == 2);
    CHECK(mfa_vault_save(v) == MFA_ERR_VAULT_READ_ONLY);
    CHECK(mfa_vault_list_json(v, &json) == MFA_OK);
    CHECK(json != NULL && strstr(json, "\"issuer\":\"RFC\"") != NULL && strstr(json, "\"counter\":1") != NULL);
    CHECK(json != NULL && strstr(json, "GEZDGNBV") == NULL); /* no secrets */
    mfa_free(json);
    mfa_vault_free(&v);

    CHECK(mfa_vault_open(&v, path, pass, strlen(pass), 1) == MFA_OK);
    {
        mfa_vault_t *second = NULL;
        CHECK(mfa_vault_open(&second, path, pass, strlen(pass), 1) == MFA_ERR_VAULT_LOCKED);
        CHECK(second == NULL);
    }
    CHECK(mfa_vault_hotp_next(v, code, sizeof code, &len, id2) == MFA_OK);
    CHECK(strcmp(code, "287082") == 0);
    CHECK(mfa_vault_get_id(v, id, sizeof id, &len, 0) == MFA_OK);
    CHECK(mfa_vault_get_id(v, id, sizeof id, &len, 9) == MFA_ERR_NOT_FOUND);
    CHECK(mfa_vault_remove(v, id) == MFA_OK);
    CHECK(mfa_vault_remove(v, id) == MFA_ERR_NOT_FOUND);
    CHECK(mfa_vault_passwd(v, "new pass", 8, MEM, PASSES) == MFA_OK);
    CHECK(mfa_vault_save(v) == MFA_OK);
    mfa_vault_free(&v);
    CHECK(mfa_vault_open(&v, path, pass, strlen(pass), 0) == MFA_ERR_VAULT_WRONG_PASSPHRASE);
    CHECK(mfa_vault_open(&v, path, "new pass", 8, 0) == MFA_OK);
    CHECK(mfa_vault_get_count(v, &count) == MFA_OK && count == 1);
    mfa_vault_free(&v);
    CHECK(mfa_vault_create(&v, path, pass, strlen(pass), MEM, PASSES) == MFA_ERR_VAULT_EXISTS);

    remove_tree(dir, 1);
    if (failures == 0) printf("vault C API: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
