/* The WebAuthn relying party from C: configuration handle, options, registration and
 * authentication verification against a credential handle loaded from the stored record, errors
 * naming the failed step.
 * Vectors: tests/vectors/webauthn (an ES256 credential made by make_vectors.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mfa/mfa_webauthn.h"

static const char *dir;

static char *slurp(const char *name, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) exit(1);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL) *len = (size_t)n;
    return buf;
}

static size_t hex_file(const char *name, uint8_t *out, size_t cap) {
    char *h = slurp(name, NULL);
    size_t n = 0;
    for (size_t i = 0; h[i] && h[i + 1] && h[i] != '\n' && n < cap; i += 2) {
        unsigned v;
        sscanf(h + i, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    free(h);
    return n;
}

static mfa_webauthn_rp_t *make_rp(void) {
    mfa_webauthn_rp_t *rp = NULL;
    CHECK_OK(mfa_webauthn_rp_new(&rp, "example.com", "Example"));
    CHECK_OK(mfa_webauthn_rp_add_origin(rp, "https://example.com"));
    return rp;
}

static void test_config_and_options(void) {
    mfa_webauthn_rp_t *rp = NULL;
    CHECK_RC(mfa_webauthn_rp_new(&rp, "", NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_webauthn_rp_new(NULL, "example.com", NULL), MFA_ERR_INVALID_ARGUMENT);
    rp = make_rp();
    int32_t algs[] = {-7, -8};
    CHECK_OK(mfa_webauthn_rp_set_algorithms(rp, algs, 2));
    int32_t bad_algs[] = {12345};
    CHECK_RC(mfa_webauthn_rp_set_algorithms(rp, bad_algs, 1), MFA_ERR_UNSUPPORTED);
    CHECK_RC(mfa_webauthn_rp_set_user_verification(rp, 9), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_webauthn_rp_set_user_verification(rp, MFA_WEBAUTHN_UV_PREFERRED));
    CHECK_OK(mfa_webauthn_rp_set_backup_policy(rp, MFA_WEBAUTHN_FLAG_ALLOWED, MFA_WEBAUTHN_FLAG_ALLOWED));
    CHECK_RC(mfa_webauthn_rp_set_attestation_policy(rp, 0x8000u), MFA_ERR_UNSUPPORTED);

    char *json = NULL;
    uint8_t challenge[64], user_id[64];
    size_t clen = 0, ulen = 0;
    mfa_webauthn_registration_request_t req;
    CHECK_RC(mfa_webauthn_registration_request_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_webauthn_registration_request_init(&req));
    CHECK(req.struct_size == sizeof req && req.attestation == MFA_WEBAUTHN_ATTESTATION_NONE &&
          req.resident_key == MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED);
    /* user_name is required */
    CHECK_RC(mfa_webauthn_registration_options(rp, &json, challenge, sizeof challenge, &clen, user_id, sizeof user_id,
                                               &ulen, &req),
             MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("user_name");
    req.user_name = "alice";
    req.display_name = "Alice";
    req.attestation = MFA_WEBAUTHN_ATTESTATION_DIRECT;
    req.resident_key = MFA_WEBAUTHN_RESIDENT_KEY_REQUIRED;
    req.extensions_json = "{\"credProps\":true}";
    CHECK_OK(mfa_webauthn_registration_options(rp, &json, challenge, sizeof challenge, &clen, user_id, sizeof user_id,
                                               &ulen, &req));
    CHECK(clen == 32);
    CHECK(ulen == 64);
    CHECK(json != NULL && strstr(json, "\"alg\":-8") != NULL);
    CHECK(json != NULL && strstr(json, "\"residentKey\":\"required\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"attestation\":\"direct\"") != NULL);
    mfa_free(json);
    json = NULL;
    uint8_t small[8];
    CHECK_OK(mfa_webauthn_registration_request_init(&req));
    req.user_name = "alice";
    CHECK_RC(mfa_webauthn_registration_options(rp, &json, small, sizeof small, &clen, user_id, sizeof user_id, &ulen,
                                               &req),
             MFA_ERR_BUFFER_TOO_SMALL);
    CHECK(clen == 32);
    /* the defaults: no attestation, residentKey preferred */
    CHECK_OK(mfa_webauthn_registration_options(rp, &json, challenge, sizeof challenge, &clen, user_id, sizeof user_id,
                                               &ulen, &req));
    CHECK(json != NULL && strstr(json, "\"attestation\":\"none\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"residentKey\":\"preferred\"") != NULL);
    mfa_free(json);
    json = NULL;
    req.attestation = 7;
    CHECK_RC(mfa_webauthn_registration_options(rp, &json, challenge, sizeof challenge, &clen, user_id, sizeof user_id,
                                               &ulen, &req),
             MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("attestation");
    req.attestation = MFA_WEBAUTHN_ATTESTATION_NONE;
    req.resident_key = -1;
    CHECK_RC(mfa_webauthn_registration_options(rp, &json, challenge, sizeof challenge, &clen, user_id, sizeof user_id,
                                               &ulen, &req),
             MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("resident_key");
    req.resident_key = MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED;
    req.struct_size = 4; /* below the first layout */
    CHECK_RC(mfa_webauthn_registration_options(rp, &json, challenge, sizeof challenge, &clen, user_id, sizeof user_id,
                                               &ulen, &req),
             MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    const char *allow[] = {"AQID"};
    CHECK_OK(mfa_webauthn_authentication_options(rp, &json, challenge, sizeof challenge, &clen, allow, 1, NULL));
    CHECK(json != NULL && strstr(json, "\"rpId\":\"example.com\"") != NULL);
    mfa_free(json);
    mfa_webauthn_rp_free(&rp);
    CHECK(rp == NULL);
    mfa_webauthn_rp_free(&rp); /* NULL-safe */
}

static void test_ceremonies(void) {
    mfa_webauthn_rp_t *rp = make_rp();
    uint8_t challenge[64], user[64];
    size_t clen, ulen = hex_file("user_handle.hex", user, sizeof user);
    size_t rlen;
    char *reg = slurp("registration.json", &rlen);

    /* Registration: a wrong challenge fails at its step; the right one yields a record. */
    clen = hex_file("registration.challenge.hex", challenge, sizeof challenge);
    char *record = NULL;
    challenge[0] ^= 1;
    CHECK_RC(mfa_webauthn_verify_registration(rp, &record, NULL, reg, rlen, challenge, clen, user, ulen),
             MFA_ERR_WEBAUTHN_CHALLENGE);
    CHECK_DETAIL("challenge");
    challenge[0] ^= 1;
    mfa_webauthn_registration_info_t info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(mfa_webauthn_verify_registration(rp, &record, &info, reg, rlen, challenge, clen, user, ulen));
    CHECK(info.alg == -7);
    CHECK_STR(info.fmt, "none");
    CHECK_STR(info.attestation_type, "none");
    CHECK(record != NULL && strstr(record, "\"signCount\":0") != NULL);

    /* Another origin is refused with its own code. */
    mfa_webauthn_rp_t *other = NULL;
    CHECK_OK(mfa_webauthn_rp_new(&other, "example.com", NULL));
    CHECK_OK(mfa_webauthn_rp_add_origin(other, "https://example.org"));
    char *unused = NULL;
    CHECK_RC(mfa_webauthn_verify_registration(other, &unused, NULL, reg, rlen, challenge, clen, user, ulen),
             MFA_ERR_WEBAUTHN_ORIGIN);
    CHECK_DETAIL("https://example.com");
    mfa_webauthn_rp_free(&other);

    /* Authentication: find the record by id, verify, store the updated record. */
    size_t alen;
    char *a1 = slurp("assertion1.json", &alen);
    uint8_t *id = NULL, *handle = NULL;
    size_t id_len = 0, handle_len = 0;
    CHECK_RC(mfa_webauthn_response_ids(&id, NULL, NULL, NULL, a1, alen), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_webauthn_response_ids(&id, &id_len, &handle, &handle_len, a1, alen));
    CHECK(id != NULL && id_len == 16);
    CHECK(handle != NULL && handle_len == ulen && memcmp(handle, user, ulen) == 0);
    mfa_free(handle);
    clen = hex_file("assertion1.challenge.hex", challenge, sizeof challenge);
    /* The record is loaded once into a credential handle (its key parsed then). */
    mfa_webauthn_credential_t *cred = NULL, *cred2 = NULL;
    CHECK_RC(mfa_webauthn_credential_from_json(&cred, "{}", 2), MFA_ERR_WEBAUTHN_RECORD);
    CHECK(cred == NULL);
    CHECK_RC(mfa_webauthn_credential_from_json(NULL, record, strlen(record)), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_webauthn_credential_from_json(&cred, record, strlen(record)));
    CHECK_OK(mfa_webauthn_credential_from_json(&cred2, record, strlen(record)));
    uint8_t *stored_id = NULL;
    size_t stored_id_len = 0;
    uint32_t count = 99;
    CHECK_OK(mfa_webauthn_credential_get_id(cred, &stored_id, &stored_id_len));
    CHECK(stored_id != NULL && id != NULL && stored_id_len == id_len && memcmp(stored_id, id, id_len) == 0);
    mfa_free(stored_id);
    mfa_free(id);
    CHECK_OK(mfa_webauthn_credential_get_sign_count(cred, &count));
    CHECK(count == 0);
    mfa_webauthn_authentication_info_t ainfo;
    memset(&ainfo, 0, sizeof ainfo);
    ainfo.struct_size = sizeof ainfo;
    CHECK_RC(mfa_webauthn_verify_authentication(rp, cred, &ainfo, a1, alen, challenge, clen, user, ulen,
                                                MFA_WEBAUTHN_UV_REQUIRED),
             MFA_ERR_WEBAUTHN_USER_VERIFIED);
    CHECK_RC(mfa_webauthn_verify_authentication(rp, NULL, &ainfo, a1, alen, challenge, clen, user, ulen, -1),
             MFA_ERR_INVALID_ARGUMENT);
    /* An info struct too small for its first layout: refused, and the handle is not changed. */
    ainfo.struct_size = sizeof(size_t);
    CHECK_RC(mfa_webauthn_verify_authentication(rp, cred, &ainfo, a1, alen, challenge, clen, user, ulen, -1),
             MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_webauthn_credential_get_sign_count(cred, &count));
    CHECK(count == 0);
    ainfo.struct_size = sizeof ainfo;
    CHECK_OK(mfa_webauthn_verify_authentication(rp, cred, &ainfo, a1, alen, challenge, clen, user, ulen, -1));
    CHECK(ainfo.sign_count == 7);
    CHECK(ainfo.counter_regressed == 0);
    CHECK_OK(mfa_webauthn_credential_get_sign_count(cred, &count));
    CHECK(count == 7);
    char *updated = NULL;
    CHECK_OK(mfa_webauthn_credential_get_json(cred, &updated));
    CHECK(updated != NULL && strstr(updated, "\"signCount\":7") != NULL);
    /* Discoverable login: no account handle, the response's userHandle owns the record. */
    CHECK_OK(mfa_webauthn_verify_authentication(rp, cred2, NULL, a1, alen, challenge, clen, NULL, 0, -1));
    mfa_webauthn_credential_free(&cred2);
    CHECK(cred2 == NULL);
    mfa_webauthn_credential_free(&cred2); /* NULL-safe */

    /* The second assertion reuses counter 7: an error, or a flag under MFA_WEBAUTHN_COUNTER_FLAG. */
    char *a2 = slurp("assertion2.json", &alen);
    clen = hex_file("assertion2.challenge.hex", challenge, sizeof challenge);
    CHECK_RC(mfa_webauthn_verify_authentication(rp, cred, NULL, a2, alen, challenge, clen, user, ulen, -1),
             MFA_ERR_WEBAUTHN_SIGN_COUNT);
    CHECK_OK(mfa_webauthn_rp_set_counter_policy(rp, MFA_WEBAUTHN_COUNTER_FLAG));
    CHECK_OK(mfa_webauthn_verify_authentication(rp, cred, &ainfo, a2, alen, challenge, clen, user, ulen, -1));
    CHECK(ainfo.counter_regressed == 1);
    char *again = NULL;
    CHECK_OK(mfa_webauthn_credential_get_json(cred, &again));
    CHECK(again != NULL && strstr(again, "\"signCount\":7") != NULL);

    mfa_free(again);
    mfa_free(updated);
    mfa_free(record);
    mfa_webauthn_credential_free(&cred);
    free(a1);
    free(a2);
    free(reg);
    mfa_webauthn_rp_free(&rp);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s VECTOR_DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    test_config_and_options();
    test_ceremonies();
    return check_finish("c_api webauthn");
}
