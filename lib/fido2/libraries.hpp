// The two libraries under the FIDO2 client, libfido2 and hidapi (hidraw), loaded on first use
// instead of linked (mfa/shared_library.hpp says why): with them linked, every process of the SDK
// — each `mfa code`, each PAM login — loaded libfido2, hidapi, libcbor, libudev and zlib, though only
// security-key work calls them. Only the fido2 files include this, and only with the fido2 feature.
//
// Every libfido2 and hidapi call goes through these tables: nothing links either library, so a
// direct call does not link. The headers are still used for the types and constants (FIDO_OK,
// fido_dev_io_t, hid_device_info). The io callbacks our transports install with
// fido_dev_set_io_functions are our own functions: libfido2 calls them through the pointers it is
// handed, loaded or linked alike.
#pragma once

#include <fido.h>
#include <fido/credman.h>
#include <hidapi/hidapi.h>

#include "mfa/error.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::fido2 {

// The libfido2 functions the client calls (binding.cpp, device.cpp).
#define MFA_LIBFIDO2_FUNCTIONS(X)                                                                               \
    X(fido_init) X(fido_strerr)                                                                                  \
    X(fido_assert_allow_cred) X(fido_assert_authdata_len) X(fido_assert_authdata_ptr) X(fido_assert_count)       \
    X(fido_assert_flags) X(fido_assert_free) X(fido_assert_hmac_secret_len) X(fido_assert_hmac_secret_ptr)       \
    X(fido_assert_id_len) X(fido_assert_id_ptr) X(fido_assert_new) X(fido_assert_set_clientdata_hash)           \
    X(fido_assert_set_extensions) X(fido_assert_set_hmac_salt) X(fido_assert_set_rp) X(fido_assert_set_up)      \
    X(fido_assert_set_uv) X(fido_assert_sig_len) X(fido_assert_sig_ptr) X(fido_assert_sigcount)                 \
    X(fido_assert_user_display_name) X(fido_assert_user_id_len) X(fido_assert_user_id_ptr)                      \
    X(fido_assert_user_name)                                                                                     \
    X(fido_cbor_info_aaguid_len) X(fido_cbor_info_aaguid_ptr) X(fido_cbor_info_algorithm_cose)                  \
    X(fido_cbor_info_algorithm_count) X(fido_cbor_info_extensions_len) X(fido_cbor_info_extensions_ptr)         \
    X(fido_cbor_info_free) X(fido_cbor_info_fwversion) X(fido_cbor_info_maxcredcntlst)                          \
    X(fido_cbor_info_maxcredidlen) X(fido_cbor_info_maxmsgsiz) X(fido_cbor_info_minpinlen) X(fido_cbor_info_new) \
    X(fido_cbor_info_options_len) X(fido_cbor_info_options_name_ptr) X(fido_cbor_info_options_value_ptr)        \
    X(fido_cbor_info_protocols_len) X(fido_cbor_info_protocols_ptr) X(fido_cbor_info_rk_remaining)              \
    X(fido_cbor_info_transports_len) X(fido_cbor_info_transports_ptr) X(fido_cbor_info_versions_len)            \
    X(fido_cbor_info_versions_ptr)                                                                               \
    X(fido_cred_attstmt_len) X(fido_cred_attstmt_ptr) X(fido_cred_authdata_raw_len) X(fido_cred_authdata_raw_ptr) \
    X(fido_cred_display_name) X(fido_cred_exclude) X(fido_cred_fmt) X(fido_cred_free) X(fido_cred_id_len)       \
    X(fido_cred_id_ptr) X(fido_cred_new) X(fido_cred_prot) X(fido_cred_set_attstmt) X(fido_cred_set_authdata_raw) \
    X(fido_cred_set_clientdata_hash) X(fido_cred_set_extensions) X(fido_cred_set_fmt) X(fido_cred_set_prot)     \
    X(fido_cred_set_rk) X(fido_cred_set_rp) X(fido_cred_set_type) X(fido_cred_set_user) X(fido_cred_set_uv)     \
    X(fido_cred_sig_len) X(fido_cred_sig_ptr) X(fido_cred_sigcount) X(fido_cred_type) X(fido_cred_user_id_len)  \
    X(fido_cred_user_id_ptr) X(fido_cred_user_name) X(fido_cred_verify) X(fido_cred_verify_self)                \
    X(fido_cred_x5c_len) X(fido_cred_x5c_ptr)                                                                    \
    X(fido_credman_del_dev_rk) X(fido_credman_get_dev_metadata) X(fido_credman_get_dev_rk)                      \
    X(fido_credman_get_dev_rp) X(fido_credman_metadata_free) X(fido_credman_metadata_new) X(fido_credman_rk)    \
    X(fido_credman_rk_count) X(fido_credman_rk_existing) X(fido_credman_rk_free) X(fido_credman_rk_new)         \
    X(fido_credman_rk_remaining) X(fido_credman_rp_count) X(fido_credman_rp_free) X(fido_credman_rp_id)         \
    X(fido_credman_rp_id_hash_len) X(fido_credman_rp_id_hash_ptr) X(fido_credman_rp_name) X(fido_credman_rp_new) \
    X(fido_dev_cancel) X(fido_dev_close) X(fido_dev_free) X(fido_dev_get_assert) X(fido_dev_get_cbor_info)      \
    X(fido_dev_get_retry_count) X(fido_dev_get_uv_retry_count) X(fido_dev_is_fido2) X(fido_dev_make_cred)       \
    X(fido_dev_new) X(fido_dev_open) X(fido_dev_reset) X(fido_dev_set_io_functions) X(fido_dev_set_pin)         \
    X(fido_dev_set_timeout) X(fido_dev_supports_cred_prot) X(fido_dev_supports_uv)

// The hidapi functions the USB provider calls (hid_provider.cpp).
#define MFA_HIDAPI_FUNCTIONS(X)                                                                                  \
    X(hid_init) X(hid_enumerate) X(hid_free_enumeration) X(hid_open_path) X(hid_close) X(hid_read_timeout)      \
    X(hid_write)

struct LibFido2 {
    MFA_LIBRARY_POINTERS(MFA_LIBFIDO2_FUNCTIONS)
};
struct HidApi {
    MFA_LIBRARY_POINTERS(MFA_HIDAPI_FUNCTIONS)
};

// libfido2 (libfido2.so.1), loaded on the first call and fido_init(0) run once after; every later
// call, from any thread, returns the same outcome. Errc::unsupported naming the library and the
// loader's reason when it, or one of its functions, is missing.
const Result<LibFido2>& load_libfido2();
// The loaded table, where load_libfido2() has succeeded: a Device exists only after bind_device
// loaded it.
const LibFido2& fido();

// hidapi (libhidapi-hidraw.so.0), loaded on the first call and hid_init() run once after; the same
// outcome for every later call (unsupported as above; fido2_io when hid_init fails).
const Result<HidApi>& load_hidapi();

}  // namespace mfa::fido2
