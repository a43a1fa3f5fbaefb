/* A server's security-key and passkey factor through the C ABI: registration, login with a key, a
 * replayed response refused, and usernameless login with a passkey. The server side is two calls a
 * ceremony (begin, finish). What the browser does with the options JSON (navigator.credentials
 * .create / .get, asking for the key's PIN when it needs one) is mfa_fido2_webauthn_create / _get
 * here, on a soft token (mfakit's software authenticator), so the example runs without a USB key; a
 * native client opens a USB key the same way (mfa_fido2_device_list_new).
 * Build: cc server_webauthn.c $(pkg-config --cflags --libs mfa)
 * Run: ./server_webauthn [STORE_URL]   (default "memory:")
 * It exits 1 at the first result it did not expect; the test suite runs it as it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mfa/mfa.h>

static const char *kRpId = "example.com";
static const char *kOrigin = "https://example.com";
/* The key's PIN, which the user types when the browser asks; secrets go in as (pointer, length). */
static const char kPin[] = "4321";
#define PIN kPin, strlen(kPin)

static int failed(const char *step, int rc, int want) {
    if (rc == want) return 0;
    fprintf(stderr, "%s: got %s (%s), wanted %s\n", step, mfa_error_name(rc), mfa_last_error_message(),
            mfa_error_name(want));
    return 1;
}
#define EXPECT(step, call, want)                            \
    do {                                                    \
        if (failed((step), (call), (want))) goto out;       \
        printf("%-48s %s\n", (step), mfa_error_name(want)); \
    } while (0)


int main(int argc, char **argv) {
    const char *url = argc > 1 ? argv[1] : "memory:";
    const char *ip = "203.0.113.7";
    char dir[] = "/tmp/mfa-example-XXXXXX", state[128] = "", phone_state[128] = "", path[160];
    mfa_fido2_device_t *key = NULL, *phone = NULL;
    mfa_server_store_t *store = NULL;
    mfa_server_t *srv = NULL;
    mfa_server_options_t opts;
    mfa_server_verify_result_t vr;
    char *ring = NULL, *options = NULL, *response = NULL, *stored = NULL, *user = NULL;
    int rc = 1;

    memset(&vr, 0, sizeof vr);
    vr.struct_size = sizeof vr;
    if (mkdtemp(dir) == NULL) return 1;
    snprintf(state, sizeof state, "%s/key.state", dir);
    snprintf(path, sizeof path, "soft:%s", state);
    EXPECT("the user's security key (a soft token)", mfa_fido2_device_open(&key, path), MFA_OK);
    EXPECT("  with a PIN", mfa_fido2_set_pin(key, PIN), MFA_OK);
    /* A second authenticator for the passkey (a phone, say: the key above is registered already,
     * and a second registration of one key is excluded, CTAP2 CREDENTIAL_EXCLUDED). */
    snprintf(phone_state, sizeof phone_state, "%s/phone.state", dir);
    snprintf(path, sizeof path, "soft:%s", phone_state);
    EXPECT("the user's phone (another soft token)", mfa_fido2_device_open(&phone, path), MFA_OK);
    EXPECT("  with a PIN", mfa_fido2_set_pin(phone, PIN), MFA_OK);

    /* The relying party: its id and the exact origins it serves. */
    EXPECT("open the store", mfa_server_store_open(&store, url), MFA_OK);
    EXPECT("make a key ring", mfa_server_keyring_generate(&ring), MFA_OK);
    EXPECT("options", mfa_server_options_init(&opts), MFA_OK);
    opts.webauthn_rp_id = kRpId;
    opts.webauthn_rp_name = "Example Service";
    opts.webauthn_origins = kOrigin;
    EXPECT("the toolkit", mfa_server_new(&srv, store, ring, strlen(ring), &opts), MFA_OK);

    /* Registration of a second-factor key: options to the browser, its response back. */
    EXPECT("register: options for the browser",
           mfa_server_webauthn_register_begin(srv, &options, "alice", "Alice", MFA_WEBAUTHN_RESIDENT_KEY_PREFERRED, ip),
           MFA_OK);
    EXPECT("  the browser creates a credential", mfa_fido2_webauthn_create(key, &response, options, kOrigin, PIN), MFA_OK);
    mfa_free(options);
    options = NULL;
    EXPECT("register: the response is verified and stored",
           mfa_server_webauthn_register_finish(srv, &stored, "alice", response, "YubiKey", ip), MFA_OK);
    printf("%-48s %.60s…\n", "", stored);
    mfa_free(response);
    response = NULL;

    /* Login with the key, after the password. */
    EXPECT("login: options (allowCredentials: alice's keys)", mfa_server_webauthn_login_begin(srv, &options, "alice", ip),
           MFA_OK);
    EXPECT("  the browser signs the challenge", mfa_fido2_webauthn_get(key, &response, options, kOrigin, NULL, 0), MFA_OK);
    EXPECT("login: the assertion verifies", mfa_server_webauthn_login_finish(srv, &vr, "alice", response, ip), MFA_OK);
    printf("%-48s amr \"%s\"\n", "", vr.amr);
    EXPECT("the same response again (a replay)", mfa_server_webauthn_login_finish(srv, &vr, "alice", response, ip),
           MFA_ERR_WEBAUTHN_CHALLENGE);
    mfa_free(options);
    mfa_free(response);
    options = response = NULL;

    /* A passkey: a discoverable credential that verifies the user, for login without a user name. */
    EXPECT("register a passkey",
           mfa_server_webauthn_register_begin(srv, &options, "alice", "Alice", MFA_WEBAUTHN_RESIDENT_KEY_REQUIRED, ip),
           MFA_OK);
    EXPECT("  the same key again is excluded", mfa_fido2_webauthn_create(key, &response, options, kOrigin, PIN),
           0x19 /* CTAP2_ERR_CREDENTIAL_EXCLUDED */);
    EXPECT("  the phone creates it", mfa_fido2_webauthn_create(phone, &response, options, kOrigin, PIN), MFA_OK);
    mfa_free(options);
    mfa_free(stored);
    options = stored = NULL;
    EXPECT("  stored", mfa_server_webauthn_register_finish(srv, &stored, "alice", response, "passkey", ip), MFA_OK);
    mfa_free(response);
    response = NULL;
    EXPECT("usernameless login: options for no one", mfa_server_webauthn_login_begin_discoverable(srv, &options, ip),
           MFA_OK);
    EXPECT("  the phone signs with the passkey (PIN)", mfa_fido2_webauthn_get(phone, &response, options, kOrigin, PIN),
           MFA_OK);
    EXPECT("usernameless login: the passkey names the user",
           mfa_server_webauthn_login_finish_discoverable(srv, &vr, &user, response, ip), MFA_OK);
    printf("%-48s user \"%s\", amr \"%s\"\n", "", user, vr.amr);
    if (user == NULL || strcmp(user, "alice") != 0) goto out;

    mfa_free(stored);
    stored = NULL;
    EXPECT("alice's keys", mfa_server_webauthn_list(srv, &stored, "alice"), MFA_OK);
    rc = 0;
out:
    mfa_free(user);
    mfa_free(options);
    mfa_free(response);
    mfa_free(stored);
    mfa_free(ring);
    mfa_server_free(&srv);
    mfa_server_store_free(&store);
    mfa_fido2_device_free(&key);
    mfa_fido2_device_free(&phone);
    unlink(state);
    unlink(phone_state);
    rmdir(dir);
    return rc;
}
