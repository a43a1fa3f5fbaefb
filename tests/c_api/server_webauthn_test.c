/* Usernameless (passkey) login through the server toolkit's C ABI, from C99: a soft token opened as
 * "soft:FILE" and the WebAuthn client (mfa_fido2_webauthn_create / _get) play the browser,
 * registering a resident credential with mfa_server_webauthn_register_begin and logging in with
 * mfa_server_webauthn_login_begin_discoverable / _finish_discoverable. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static const char *kOrigin = "https://example.com";

/* Registers a resident ES256 credential with PIN UV for user, through the WebAuthn client
 * (mfa_fido2_webauthn_create), which answers credProps as a browser does. */
static void register_passkey(mfa_server_t *srv, mfa_fido2_device_t *dev, const char *user) {
    char *json = NULL, *resp = NULL;

    CHECK_RC(mfa_server_webauthn_register_begin(srv, &json, user, NULL, 3, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_OK(mfa_server_webauthn_register_begin(srv, &json, user, NULL, MFA_WEBAUTHN_RESIDENT_KEY_REQUIRED, NULL));
    if (json == NULL) return;
    CHECK(strstr(json, "\"residentKey\":\"required\"") != NULL);
    CHECK(strstr(json, "\"requireResidentKey\":true") != NULL);
    CHECK(strstr(json, "\"credProps\":true") != NULL);
    /* The origin must be the RP ID's host or below it. */
    CHECK_RC(mfa_fido2_webauthn_create(dev, &resp, json, "https://example.org", SECRET("4321")), MFA_ERR_WEBAUTHN_ORIGIN);
    CHECK(resp == NULL);
    CHECK_RC(mfa_fido2_webauthn_create(dev, &resp, "{\"rp\":{}}", kOrigin, SECRET("4321")), MFA_ERR_WEBAUTHN_OPTIONS);
    CHECK_DETAIL("user");
    CHECK_OK(mfa_fido2_webauthn_create(dev, &resp, json, kOrigin, SECRET("4321")));
    mfa_free(json);
    json = NULL;
    if (resp == NULL) return;
    CHECK(strstr(resp, "\"credProps\":{\"rk\":true}") != NULL);
    CHECK_OK(mfa_server_webauthn_register_finish(srv, &json, user, resp, "passkey", NULL));
    mfa_free(resp);
    /* The client answered credProps: the key is known to be discoverable. */
    CHECK(json != NULL && strstr(json, "\"discoverable\":true") != NULL);
    mfa_free(json);
}

/* A usernameless ceremony: the options, and the soft token's answer for them in resp. */
static void discoverable_assertion(mfa_server_t *srv, mfa_fido2_device_t *dev, char *resp, size_t cap) {
    char *json = NULL, *answer = NULL;

    resp[0] = '\0';
    CHECK_OK(mfa_server_webauthn_login_begin_discoverable(srv, &json, "203.0.113.9"));
    if (json == NULL) return;
    CHECK(strstr(json, "\"allowCredentials\":[]") != NULL);
    CHECK(strstr(json, "\"userVerification\":\"required\"") != NULL);
    CHECK_OK(mfa_fido2_webauthn_get(dev, &answer, json, kOrigin, SECRET("4321")));
    mfa_free(json);
    if (answer == NULL) return;
    CHECK(strlen(answer) < cap);
    if (strlen(answer) < cap) memcpy(resp, answer, strlen(answer) + 1);
    mfa_free(answer);
}

/* resp without its "userHandle" member. */
static void drop_user_handle(char *resp) {
    char *p = strstr(resp, "\"userHandle\":\""), *end;
    if (p == NULL) return;
    end = strchr(p + 14, '"');
    if (end == NULL) return;
    ++end;
    if (*end == ',') ++end;
    else if (p > resp && p[-1] == ',') --p;
    memmove(p, end, strlen(end) + 1);
}

static void test_usernameless_login(mfa_fido2_device_t *dev) {
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    mfa_server_options_t opts;
    mfa_server_verify_result_t vr;
    char *ring = NULL, *user = NULL;
    char resp[8192];

    CHECK_OK(mfa_server_store_open(&store, "memory:"));
    CHECK_OK(mfa_server_keyring_generate(&ring));
    CHECK_OK(mfa_server_options_init(&opts));
    CHECK(opts.webauthn_discoverable_user_verification == MFA_WEBAUTHN_UV_REQUIRED);
    opts.webauthn_rp_id = "example.com";
    opts.webauthn_origins = kOrigin;
    opts.webauthn_user_verification = MFA_WEBAUTHN_UV_DISCOURAGED; /* the user-bound default stays so */
    opts.webauthn_discoverable_user_verification = 5;
    CHECK_RC(mfa_server_new(&srv, store, SECRET_STR(ring), &opts), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("webauthn_discoverable_user_verification");
    /* No layout before 1.0 was released: a struct without the usernameless member is refused. */
    opts.struct_size = offsetof(mfa_server_options_t, webauthn_discoverable_user_verification);
    CHECK_RC(mfa_server_new(&srv, store, SECRET_STR(ring), &opts), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    opts.struct_size = sizeof opts;
    opts.webauthn_discoverable_user_verification = MFA_WEBAUTHN_UV_REQUIRED;
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), &opts));
    mfa_server_store_free(&store);
    if (srv == NULL) return;

    register_passkey(srv, dev, "alice");
    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;

    discoverable_assertion(srv, dev, resp, sizeof resp);
    CHECK_RC(mfa_server_webauthn_login_finish_discoverable(srv, &vr, NULL, resp, NULL), MFA_ERR_INVALID_ARGUMENT);
    /* A short result struct is refused before the login runs: no user allocated (leaked), and the
     * challenge is still there for the corrected call. */
    vr.struct_size = sizeof vr - 1;
    CHECK_RC(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, resp, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_DETAIL("struct_size");
    CHECK(user == NULL);
    vr.struct_size = sizeof vr;
    CHECK_OK(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, resp, NULL));
    CHECK(user != NULL && strcmp(user, "alice") == 0);
    CHECK(vr.status == MFA_OK);
    CHECK_STR(vr.amr, "hwk user pin mfa");
    mfa_free(user);
    user = NULL;

    /* The same response again: its challenge is spent; no user is named. */
    CHECK_RC(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, resp, NULL), MFA_ERR_WEBAUTHN_CHALLENGE);
    CHECK(user == NULL);
    /* No userHandle: the account cannot be found (WebAuthn L3 §7.2 step 6). */
    discoverable_assertion(srv, dev, resp, sizeof resp);
    drop_user_handle(resp);
    CHECK(strstr(resp, "userHandle") == NULL);
    CHECK_RC(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, resp, NULL), MFA_ERR_WEBAUTHN_USER_HANDLE);
    CHECK(user == NULL);
    CHECK_RC(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, "{", NULL), MFA_ERR_WEBAUTHN_JSON);
    CHECK(user == NULL && vr.status == MFA_ERR_WEBAUTHN_JSON);

    /* A fresh ceremony logs in again (the sign count moved on). */
    discoverable_assertion(srv, dev, resp, sizeof resp);
    CHECK_OK(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, resp, NULL));
    CHECK(user != NULL && strcmp(user, "alice") == 0);
    mfa_free(user);

    mfa_server_free(&srv);
    mfa_free(ring);
}

static void test_not_configured(void) {
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    char *ring = NULL, *json = NULL, *user = NULL;
    mfa_server_verify_result_t vr;
    CHECK_OK(mfa_server_store_open(&store, "memory:"));
    CHECK_OK(mfa_server_keyring_generate(&ring));
    CHECK_OK(mfa_server_new(&srv, store, SECRET_STR(ring), NULL));
    CHECK_RC(mfa_server_webauthn_login_begin_discoverable(srv, &json, NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK_RC(mfa_server_webauthn_login_begin_discoverable(NULL, &json, NULL), MFA_ERR_INVALID_ARGUMENT);
    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;
    CHECK_RC(mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, "{}", NULL), MFA_ERR_INVALID_ARGUMENT);
    CHECK(user == NULL);
    mfa_server_free(&srv);
    mfa_server_store_free(&store);
    mfa_free(ring);
}

int main(void) {
    char dir[] = "/tmp/mfa-c-passkey-XXXXXX";
    char state[128], path[160];
    mfa_fido2_device_t *dev = NULL;

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(state, sizeof state, "%s/token.state", dir);
    snprintf(path, sizeof path, "soft:%s", state);
    test_not_configured();
    CHECK_OK(mfa_fido2_device_open(&dev, path));
    if (dev != NULL) {
        CHECK_OK(mfa_fido2_set_pin(dev, SECRET("4321")));
        test_usernameless_login(dev);
        mfa_fido2_device_free(&dev);
    }
    unlink(state);
    rmdir(dir);
    return check_finish("c_api_server_webauthn");
}
