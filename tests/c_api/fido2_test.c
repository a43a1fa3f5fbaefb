/* The FIDO2 part of the C ABI, from C99, against soft tokens in this process: one opened as
 * "soft:FILE" with a temporary state file, one started on a pty bridge and opened as "tty:PATH".
 * Registration and authentication JSON go through the C relying party (mfa_webauthn.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define CTAP_PIN_INVALID 0x31
#define CTAP_NO_CREDENTIALS 0x2E

static const char *kOrigin = "https://example.com";
static const uint8_t kUserId[] = {'u', 's', 'e', 'r', '-', '1'};

static void fill(uint8_t *p, size_t n, uint8_t seed) {
    size_t i;
    for (i = 0; i < n; ++i) p[i] = (uint8_t)(seed + i * 7u);
}

static void test_errors(void) {
    mfa_fido2_device_t *dev = NULL;
    mfa_fido2_device_list_t *list = NULL;
    size_t count = 0;
    char *text = NULL;
    CHECK_RC(mfa_fido2_device_open(&dev, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_fido2_device_open(&dev, "nosuchscheme:x"), MFA_ERR_FIDO2_NO_DEVICE);
    CHECK(dev == NULL);
    CHECK_RC(mfa_fido2_device_open(&dev, "tty:/nonexistent/pty"), MFA_ERR_FIDO2_NO_DEVICE);
    CHECK_RC(mfa_fido2_set_pin(NULL, SECRET("1234")), MFA_ERR_INVALID_ARGUMENT);
    /* The machine's USB keys: whatever is there, the list works and its bounds hold. */
    CHECK_OK(mfa_fido2_device_list_new(&list));
    CHECK_OK(mfa_fido2_device_list_get_count(list, &count));
    CHECK_RC(mfa_fido2_device_list_get_path(list, &text, count), MFA_ERR_NOT_FOUND);
    CHECK_RC(mfa_fido2_device_list_get_product(list, &text, count), MFA_ERR_NOT_FOUND);
    CHECK(text == NULL);
    mfa_fido2_device_list_free(&list);
    CHECK(list == NULL);
    mfa_fido2_device_list_free(&list); /* NULL-safe */
    mfa_fido2_device_free(&dev);
}

static void test_info_and_pin(mfa_fido2_device_t *dev) {
    char *json = NULL;
    int retries = -1;
    CHECK_OK(mfa_fido2_info_json(dev, &json));
    CHECK(json != NULL && strstr(json, "\"FIDO_2_1\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"hmac-secret\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"clientPin\":false") != NULL);
    CHECK(json != NULL && strstr(json, "\"algorithms\":[-7,-8]") != NULL);
    mfa_free(json);

    CHECK_RC(mfa_fido2_set_pin(dev, NULL, 0), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("pin");
    /* (pointer, length): a NULL pointer with a length, and a NUL inside, are refused, not cut. */
    CHECK_RC(mfa_fido2_set_pin(dev, NULL, 4), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("NULL with a length");
    CHECK_RC(mfa_fido2_set_pin(dev, "12\0" "34", 5), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("NUL byte");
    CHECK_OK(mfa_fido2_set_pin(dev, SECRET("1234")));
    CHECK_OK(mfa_fido2_pin_retries(dev, &retries));
    CHECK(retries == 8);
    CHECK_RC(mfa_fido2_change_pin(dev, SECRET("0000"), SECRET("4321")), CTAP_PIN_INVALID);
    CHECK_OK(mfa_fido2_pin_retries(dev, &retries));
    CHECK(retries == 7);
    CHECK_OK(mfa_fido2_change_pin(dev, SECRET("1234"), SECRET("4321")));
    CHECK_OK(mfa_fido2_pin_retries(dev, &retries));
    CHECK(retries == 8);
    CHECK_OK(mfa_fido2_info_json(dev, &json));
    CHECK(json != NULL && strstr(json, "\"clientPin\":true") != NULL);
    mfa_free(json);
}

/* A resident ES256 credential with PIN UV, registered and used for two logins at the C relying
 * party; a discoverable login returns the user id. */
static void test_register_and_login(mfa_fido2_device_t *dev, uint8_t *cred_id, size_t *cred_id_len) {
    mfa_fido2_make_credential_options_t mc;
    mfa_fido2_get_assertion_options_t ga;
    mfa_fido2_credential_t *cred = NULL;
    mfa_fido2_assertions_t *as = NULL;
    mfa_webauthn_rp_t *rp = NULL;
    uint8_t challenge[32], uid[64];
    char *json = NULL;
    char *record = NULL;
    mfa_webauthn_credential_t *stored = NULL;
    size_t len = 0, count = 0;
    uint32_t sc1 = 0, sc2 = 0;
    const uint8_t *allow[1];
    size_t allow_len[1];
    mfa_webauthn_registration_info_t rinfo;
    mfa_webauthn_authentication_info_t ainfo;

    CHECK_OK(mfa_webauthn_rp_new(&rp, "example.com", "Example"));
    CHECK_OK(mfa_webauthn_rp_add_origin(rp, kOrigin));

    fill(challenge, sizeof challenge, 1);
    CHECK_OK(mfa_fido2_make_credential_options_init(&mc));
    mc.rp_id = "example.com";
    mc.user_id = kUserId;
    mc.user_id_len = sizeof kUserId;
    mc.user_name = "alice";
    mc.challenge = challenge;
    mc.challenge_len = sizeof challenge;
    mc.origin = kOrigin;
    mc.algorithm = MFA_COSE_ES256;
    mc.resident = 1;
    mc.user_verification = 1;
    mc.pin = "4321";
    mc.pin_len = 4;

    mc.struct_size = sizeof(size_t); /* below the first layout */
    CHECK_RC(mfa_fido2_make_credential(dev, &cred, &mc), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    mc.struct_size = sizeof mc;
    mc.pin = "9999";
    mc.pin_len = 4;
    CHECK_RC(mfa_fido2_make_credential(dev, &cred, &mc), CTAP_PIN_INVALID);
    mc.pin = "4321";
    mc.pin_len = 4;
    CHECK_OK(mfa_fido2_make_credential(dev, &cred, &mc));

    {
        uint8_t *bytes = NULL;
        CHECK_OK(mfa_fido2_credential_get_id(cred, &bytes, cred_id_len));
        CHECK(bytes != NULL && *cred_id_len > 16 && *cred_id_len <= 1023);
        if (bytes != NULL && *cred_id_len <= 1023) memcpy(cred_id, bytes, *cred_id_len);
        mfa_free(bytes);
        CHECK_RC(mfa_fido2_credential_get_attestation_object(cred, &bytes, NULL), MFA_ERR_INVALID_ARGUMENT);
        CHECK_OK(mfa_fido2_credential_get_attestation_object(cred, &bytes, &len));
        CHECK(bytes != NULL && len > 100 && bytes[0] == 0xa3); /* a map of three: fmt, attStmt, authData */
        mfa_free(bytes);
        CHECK_OK(mfa_fido2_credential_get_public_key(cred, &bytes, &len));
        CHECK(bytes != NULL && len > 64);
        mfa_free(bytes);
    }
    CHECK_RC(mfa_fido2_credential_get_json(cred, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_fido2_credential_get_json(cred, &json));
    CHECK(json != NULL && strstr(json, "\"attestationObject\"") != NULL);

    memset(&rinfo, 0, sizeof rinfo);
    rinfo.struct_size = sizeof rinfo;
    CHECK_OK(mfa_webauthn_verify_registration(rp, &record, &rinfo, json, strlen(json), challenge, sizeof challenge,
                                              kUserId, sizeof kUserId));
    mfa_free(json);
    json = NULL;
    CHECK(rinfo.alg == -7 && rinfo.user_verified == 1);
    CHECK_STR(rinfo.fmt, "packed");
    CHECK_STR(rinfo.attestation_type, "basic");
    mfa_fido2_credential_free(&cred);
    CHECK(cred == NULL);

    /* Login with the allow list. */
    fill(challenge, sizeof challenge, 2);
    allow[0] = cred_id;
    allow_len[0] = *cred_id_len;
    CHECK_OK(mfa_fido2_get_assertion_options_init(&ga));
    ga.rp_id = "example.com";
    ga.challenge = challenge;
    ga.challenge_len = sizeof challenge;
    ga.origin = kOrigin;
    ga.allow_ids = allow;
    ga.allow_id_lens = allow_len;
    ga.allow_count = 1;
    ga.user_verification = 1;
    ga.pin = "4321";
    ga.pin_len = 4;
    CHECK_OK(mfa_fido2_get_assertion(dev, &as, &ga));
    CHECK_OK(mfa_fido2_assertions_get_count(as, &count));
    CHECK(count == 1);
    CHECK_OK(mfa_fido2_assertions_get_sign_count(as, &sc1, 0));
    CHECK_RC(mfa_fido2_assertions_get_sign_count(as, &sc1, 1), MFA_ERR_NOT_FOUND);
    CHECK_RC(mfa_fido2_assertions_get_hmac_secret(as, uid, sizeof uid, &len, 0), MFA_ERR_NOT_FOUND);
    mfa_free(json);
    json = NULL;
    CHECK_OK(mfa_fido2_assertions_get_json(as, &json, 0));
    CHECK(json != NULL);
    len = strlen(json);
    memset(&ainfo, 0, sizeof ainfo);
    ainfo.struct_size = sizeof ainfo;
    CHECK_OK(mfa_webauthn_credential_from_json(&stored, record, strlen(record)));
    CHECK_OK(mfa_webauthn_verify_authentication(rp, stored, &ainfo, json, len, challenge, sizeof challenge, kUserId,
                                                sizeof kUserId, MFA_WEBAUTHN_UV_REQUIRED));
    CHECK(ainfo.sign_count == sc1 && ainfo.user_verified == 1);
    mfa_fido2_assertions_free(&as);

    /* Discoverable: no allow list; the user id comes back and the counter went up. */
    fill(challenge, sizeof challenge, 3);
    ga.allow_count = 0;
    ga.allow_ids = NULL;
    ga.allow_id_lens = NULL;
    CHECK_OK(mfa_fido2_get_assertion(dev, &as, &ga));
    {
        uint8_t *user = NULL;
        CHECK_OK(mfa_fido2_assertions_get_user_id(as, &user, &len, 0));
        CHECK(user != NULL && len == sizeof kUserId && memcmp(user, kUserId, len) == 0);
        mfa_free(user);
        CHECK_OK(mfa_fido2_assertions_get_credential_id(as, &user, &len, 0));
        CHECK(user != NULL && len == *cred_id_len && memcmp(user, cred_id, len) == 0);
        mfa_free(user);
        CHECK_RC(mfa_fido2_assertions_get_user_id(as, &user, &len, 1), MFA_ERR_NOT_FOUND);
    }
    CHECK_OK(mfa_fido2_assertions_get_sign_count(as, &sc2, 0));
    CHECK(sc2 > sc1);
    mfa_free(json);
    json = NULL;
    CHECK_OK(mfa_fido2_assertions_get_json(as, &json, 0));
    CHECK(json != NULL);
    len = strlen(json);
    CHECK_OK(mfa_webauthn_verify_authentication(rp, stored, &ainfo, json, len, challenge, sizeof challenge, NULL, 0,
                                                MFA_WEBAUTHN_UV_REQUIRED));
    /* The same assertion again: the relying party sees a counter that did not increase. */
    CHECK_RC(mfa_webauthn_verify_authentication(rp, stored, &ainfo, json, len, challenge, sizeof challenge, NULL, 0,
                                                MFA_WEBAUTHN_UV_REQUIRED),
             MFA_ERR_WEBAUTHN_SIGN_COUNT);
    CHECK_RC(mfa_fido2_assertions_get_json(as, &json, 1), MFA_ERR_NOT_FOUND);
    mfa_free(json);
    mfa_fido2_assertions_free(&as);
    mfa_free(record);
    mfa_webauthn_credential_free(&stored);
    mfa_webauthn_rp_free(&rp);
}

static void test_hmac_secret(mfa_fido2_device_t *dev) {
    mfa_fido2_make_credential_options_t mc;
    mfa_fido2_credential_t *cred = NULL;
    uint8_t hash[32], *id = NULL, salt1[32], salt2[32], out1[64], out2[64];
    size_t id_len = 0, len = 0;
    char *json = NULL;

    fill(hash, sizeof hash, 9);
    fill(salt1, sizeof salt1, 10);
    fill(salt2, sizeof salt2, 11);
    CHECK_OK(mfa_fido2_make_credential_options_init(&mc));
    mc.rp_id = "example.com";
    mc.user_id = kUserId;
    mc.user_id_len = sizeof kUserId;
    mc.client_data_hash = hash;
    mc.algorithm = MFA_COSE_EDDSA;
    mc.hmac_secret = 1;
    CHECK_OK(mfa_fido2_make_credential(dev, &cred, &mc));
    CHECK_OK(mfa_fido2_credential_get_id(cred, &id, &id_len));
    /* Made from a hash: there is no clientDataJSON to put in the JSON. */
    CHECK_RC(mfa_fido2_credential_get_json(cred, &json), MFA_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL);
    mfa_fido2_credential_free(&cred);

    CHECK_RC(mfa_fido2_hmac_secret(dev, out1, 32, &len, "example.com", id, id_len, salt1, salt2, SECRET("4321")),
             MFA_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 64);
    CHECK_OK(mfa_fido2_hmac_secret(dev, out1, sizeof out1, &len, "example.com", id, id_len, salt1, NULL, SECRET("4321")));
    CHECK(len == 32);
    CHECK_OK(mfa_fido2_hmac_secret(dev, out2, sizeof out2, &len, "example.com", id, id_len, salt1, salt2, SECRET("4321")));
    CHECK(len == 64);
    CHECK(memcmp(out1, out2, 32) == 0);      /* same credential, same salt: same secret */
    CHECK(memcmp(out2, out2 + 32, 32) != 0); /* another salt: another secret */
    mfa_memzero(out1, sizeof out1);
    mfa_memzero(out2, sizeof out2);
    mfa_free(id);
}

static void test_credential_management(mfa_fido2_device_t *dev, const uint8_t *cred_id, size_t cred_id_len) {
    char *json = NULL;
    CHECK_RC(mfa_fido2_credentials_json(dev, &json, SECRET("0000")), CTAP_PIN_INVALID);
    CHECK_OK(mfa_fido2_credentials_json(dev, &json, SECRET("4321")));
    CHECK(json != NULL && strstr(json, "\"existing\":1") != NULL);
    CHECK(json != NULL && strstr(json, "\"id\":\"example.com\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"userName\":\"alice\"") != NULL);
    mfa_free(json);
    CHECK_OK(mfa_fido2_delete_credential(dev, cred_id, cred_id_len, SECRET("4321")));
    CHECK_RC(mfa_fido2_delete_credential(dev, cred_id, cred_id_len, SECRET("4321")), CTAP_NO_CREDENTIALS);
    CHECK_OK(mfa_fido2_credentials_json(dev, &json, SECRET("4321")));
    CHECK(json != NULL && strstr(json, "\"existing\":0") != NULL && strstr(json, "\"rps\":[]") != NULL);
    mfa_free(json);
}

static void test_reset(mfa_fido2_device_t *dev) {
    char *json = NULL;
    CHECK_OK(mfa_fido2_reset(dev));
    CHECK_OK(mfa_fido2_info_json(dev, &json));
    CHECK(json != NULL && strstr(json, "\"clientPin\":false") != NULL);
    mfa_free(json);
}

/* A soft token served on a pty bridge, reached as "tty:/dev/pts/N". */
static void test_bridge(void) {
    mfa_softtoken_t *tok = NULL;
    mfa_softtoken_options_t opts;
    mfa_fido2_device_t *dev = NULL;
    mfa_fido2_make_credential_options_t mc;
    mfa_fido2_credential_t *cred = NULL;
    uint8_t hash[32];
    char *path = NULL, tty[160];
    char *json = NULL;

    CHECK_RC(mfa_softtoken_options_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_fido2_make_credential_options_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_fido2_get_assertion_options_init(NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_softtoken_options_init(&opts));
    CHECK(opts.struct_size == sizeof opts && opts.presence == MFA_SOFTTOKEN_PRESENCE_APPROVE);
    opts.attestation = 7;
    CHECK_RC(mfa_softtoken_start(&tok, NULL, &opts), MFA_ERR_INVALID_ARGUMENT);
    opts.attestation = MFA_SOFTTOKEN_ATTESTATION_SELF;
    opts.presence = MFA_SOFTTOKEN_PRESENCE_DENY;
    CHECK_OK(mfa_softtoken_start(&tok, NULL, &opts));
    CHECK_RC(mfa_softtoken_get_device_path(tok, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_softtoken_get_device_path(tok, &path));
    CHECK(path != NULL && strncmp(path, "/dev/pts/", 9) == 0);
    snprintf(tty, sizeof tty, "tty:%s", path ? path : "");
    mfa_free(path);
    CHECK_OK(mfa_fido2_device_open(&dev, tty));
    CHECK_OK(mfa_fido2_info_json(dev, &json));
    CHECK(json != NULL && strstr(json, "\"FIDO_2_0\"") != NULL);
    mfa_free(json);

    fill(hash, sizeof hash, 5);
    CHECK_OK(mfa_fido2_make_credential_options_init(&mc));
    mc.rp_id = "example.com";
    mc.user_id = kUserId;
    mc.user_id_len = sizeof kUserId;
    mc.client_data_hash = hash;
    CHECK_RC(mfa_fido2_make_credential(dev, &cred, &mc), 0x27); /* presence denied */
    mfa_fido2_device_free(&dev);

    CHECK_OK(mfa_softtoken_stop(tok));
    CHECK_OK(mfa_softtoken_stop(tok)); /* idempotent */
    mfa_softtoken_free(&tok);
    CHECK(tok == NULL);
    mfa_softtoken_free(&tok);
}

int main(void) {
    char dir[] = "/tmp/mfa-c-fido2-XXXXXX";
    char state[128], path[160];
    mfa_fido2_device_t *dev = NULL;
    uint8_t cred_id[1023];
    size_t cred_id_len = 0;

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(state, sizeof state, "%s/token.state", dir);
    snprintf(path, sizeof path, "soft:%s", state);

    test_errors();
    CHECK_OK(mfa_fido2_device_open(&dev, path));
    if (dev != NULL) {
        CHECK_OK(mfa_fido2_device_set_timeout(dev, 10000));
        test_info_and_pin(dev);
        test_register_and_login(dev, cred_id, &cred_id_len);
        test_hmac_secret(dev);
        test_credential_management(dev, cred_id, cred_id_len);
        test_reset(dev);
        mfa_fido2_device_free(&dev);
        CHECK(dev == NULL);
    }
    /* The state file outlives the handle: the token was reset, so it has no PIN now. */
    CHECK(access(state, F_OK) == 0);
    test_bridge();

    unlink(state);
    rmdir(dir);
    return check_finish("c_api_fido2");
}
