// The migration section of mfa_server.h: google-authenticator-libpam's file and pam-u2f's mappings
// brought into the toolkit's store (mfa/server/migrate.hpp), the same imports pam_mfa and
// `mfa server import-*` run.
#include "abi.hpp"
#include "mfa/mfa_server.h"
#include "mfa/server/migrate.hpp"
#include "server_handle.hpp"

using namespace mfa;
using namespace mfa::abi;

extern "C" {

int mfa_server_import_google_authenticator(mfa_server_t* s, char** out_json, const char* user, const char* file,
                                           size_t file_len, const char* actor, const char* source_ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        MFA_IN(u, user, "user");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(ip, source_ip, "source_ip");
        // The file holds the secret and the scratch codes: read from wiped memory only.
        auto text = in_secret(file, file_len, server::kMaxGoogleAuthenticatorFile, "file");
        if (!text) return fail(text.error());
        if (!*text) return fail(Errc::invalid_argument, "file is NULL");
        auto f = server::parse_google_authenticator((*text)->view());
        if (!f) return fail(f.error());
        auto rep = server::import_google_authenticator(*s->tk, u, *f, ctx(a, ip));
        if (!rep) return fail(rep.error());
        return put_alloc(out_json, server::google_authenticator_import_json(u, *rep));
    });
}

int mfa_server_u2f_import_options_init(mfa_server_u2f_import_options_t* opts) {
    if (opts == nullptr) return fail(Errc::invalid_argument, "opts is NULL");
    *opts = mfa_server_u2f_import_options_t{};
    opts->struct_size = sizeof *opts;
    return MFA_OK;
}

int mfa_server_import_pam_u2f(mfa_server_t* s, char** out_json, const char* mappings, size_t mappings_len,
                              const mfa_server_u2f_import_options_t* opts, const char* actor, const char* source_ip) {
    return guarded([&] {
        if (int rc = need(s, "server"); rc != MFA_OK) return rc;
        if (int rc = need(out_json, "out_json"); rc != MFA_OK) return rc;
        if (int rc = need(mappings, "mappings"); rc != MFA_OK) return rc;
        mfa_server_u2f_import_options_t o;
        mfa_server_u2f_import_options_init(&o);
        if (opts != nullptr)
            if (auto st = read_sized(opts, o, sizeof o, "opts"); !st) return fail(st.error());
        MFA_IN_OPT(only_user, o.user, "opts.user");
        MFA_IN_OPT(appid, o.appid, "opts.appid");
        MFA_IN_OPT(a, actor, "actor");
        MFA_IN_OPT(ip, source_ip, "source_ip");
        auto users = server::import_u2f_mappings(*s->tk, std::string_view(mappings, mappings_len),
                                                 {.only_user = only_user, .appid = appid}, ctx(a, ip));
        if (!users) return fail(users.error());
        return put_alloc(out_json, server::u2f_import_json(*users));
    });
}

}  // extern "C"
