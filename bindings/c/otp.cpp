// The OTP part of the C ABI (mfa_otp.h): a thin translation onto mfa::Otp and the otpauth parsers.
// Every function runs inside abi::guarded; checks of the C arguments happen here, everything about
// the OTP itself is the core's.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "abi.hpp"
#include "mfa/encoding.hpp"
#include "mfa/mfa_otp.h"
#include "mfa/otp.hpp"
#include "mfa/otpauth.hpp"

// The handles. They own copies of everything; the secret lives once, inside Otp (wiped on free).
struct mfa_otp {
    mfa::Otp otp;
    std::string issuer;
    std::string name;
    std::vector<std::pair<std::string, std::string>> extra;  // URI parameters kept for re-formatting
};

struct mfa_otp_migration {
    mfa::MigrationBatch batch;
};

namespace mfa::abi {
namespace {

// The header's numbers are the core's.
static_assert(MFA_OTP_MIN_DIGITS == kMinDigits && MFA_OTP_MAX_DIGITS == kMaxDigits);
static_assert(MFA_OTP_STEAM_DIGITS == kSteamDigits);
static_assert(MFA_OTP_MIN_SECRET_BYTES == kMinSecretBytes && MFA_OTP_MAX_SECRET_BYTES == kMaxSecretBytes);
static_assert(MFA_OTP_DEFAULT_SECRET_BYTES == kDefaultSecretBytes);
static_assert(MFA_OTP_MAX_PERIOD == kMaxPeriod && MFA_OTP_MAX_WINDOW == kMaxWindow);
static_assert(MFA_OTP_MAX_LOOK_AHEAD == kMaxLookAhead && MFA_OTP_MAX_RESYNC_LOOK_AHEAD == kMaxResyncLookAhead);
static_assert(MFA_OTP_MAX_URI_LENGTH == kMaxUriLength);
static_assert(MFA_OTP_MIGRATION_MAX_URI_LENGTH == kMaxMigrationUriLength);
static_assert(MFA_OTP_MIGRATION_MAX_ACCOUNTS == kMaxMigrationAccounts);
static_assert(MFA_OTP_BASE32_MAX_TEXT == kBase32MaxInput && MFA_OTP_BASE32_MAX_DATA == kBase32MaxInput * 5 / 8);
static_assert(MFA_OTP_CODE_CAPACITY == kMaxDigits + 1);
static_assert(MFA_OTP_TOTP == static_cast<unsigned>(OtpType::totp) &&
              MFA_OTP_HOTP == static_cast<unsigned>(OtpType::hotp) &&
              MFA_OTP_STEAM == static_cast<unsigned>(OtpType::steam));
static_assert(MFA_OTP_SHA1 == static_cast<unsigned>(HashAlg::sha1) &&
              MFA_OTP_SHA256 == static_cast<unsigned>(HashAlg::sha256) &&
              MFA_OTP_SHA512 == static_cast<unsigned>(HashAlg::sha512));

// The first published layouts; struct_size may never be smaller than these.
constexpr std::size_t kParamsV1 = offsetof(mfa_otp_params_t, counter) + sizeof(std::uint64_t);
constexpr std::size_t kUriOptionsV1 = offsetof(mfa_otp_uri_options_t, issuer_policy) + sizeof(std::uint32_t);

mfa_otp_params_t default_c_params() {
    const OtpParams d;
    mfa_otp_params_t p{};
    p.struct_size = sizeof p;
    p.type = static_cast<std::uint32_t>(d.type);
    p.algorithm = static_cast<std::uint32_t>(d.algorithm);
    p.digits = d.digits;
    p.period = d.period;
    p.t0 = d.t0;
    p.counter = d.counter;
    return p;
}

Result<OtpParams> from_c(const mfa_otp_params_t& c) {
    if (c.type > MFA_OTP_STEAM)
        return Error(Errc::invalid_argument, "params.type " + std::to_string(c.type) + " is not MFA_OTP_TOTP, _HOTP or _STEAM");
    if (c.algorithm > MFA_OTP_SHA512)
        return Error(Errc::invalid_argument,
                     "params.algorithm " + std::to_string(c.algorithm) + " is not MFA_OTP_SHA1, _SHA256 or _SHA512");
    OtpParams p;
    p.type = static_cast<OtpType>(c.type);
    p.algorithm = static_cast<HashAlg>(c.algorithm);
    p.digits = c.digits;
    p.period = c.period;
    p.t0 = c.t0;
    p.counter = c.counter;
    return p;
}

mfa_otp_params_t to_c(const OtpParams& p) {
    mfa_otp_params_t c{};
    c.struct_size = sizeof c;
    c.type = static_cast<std::uint32_t>(p.type);
    c.algorithm = static_cast<std::uint32_t>(p.algorithm);
    c.digits = p.digits;
    c.period = p.period;
    c.t0 = p.t0;
    c.counter = p.counter;
    return c;
}

// A handle from a parsed or migrated account (moves the secret into the Otp).
Result<mfa_otp*> make_handle(Account&& a) {
    auto otp = Otp::create(std::move(a.secret), a.params);
    if (!otp) return std::move(otp).error();
    return new mfa_otp{std::move(*otp), std::move(a.issuer), std::move(a.name), std::move(a.extra)};
}

// The account of a handle, for the formatters (a temporary copy of the secret, wiped with it).
Account to_account(const mfa_otp& h) {
    Account a;
    a.issuer = h.issuer;
    a.name = h.name;
    a.secret = SecretBytes(h.otp.secret());
    a.params = h.otp.params();
    a.extra = h.extra;
    return a;
}

// The C status of an HOTP verification or resynchronisation; on success the handle moves on.
int finish_hotp(mfa_otp& h, const HotpVerification& v, std::uint64_t* next_counter, std::uint64_t first,
                std::uint64_t last) {
    switch (v.status) {
        case Errc::ok:
            h.otp.set_counter(v.next_counter);
            if (next_counter != nullptr) *next_counter = v.next_counter;
            return MFA_OK;
        case Errc::otp_code_format:
            return fail(v.status, "expected " + std::to_string(h.otp.params().digits) + " digits");
        case Errc::otp_code_mismatch:
            return fail(v.status, "no counter from " + std::to_string(first) + " to " + std::to_string(last) + " matched");
        default: return fail(v.status, "verification failed");
    }
}

// A submitted code: NUL-terminated, read no further than one character past the longest code. A
// longer one is a malformed code (otp_code_format), like any other wrong length.
Result<std::string_view> in_code(const char* code, std::string_view what) {
    auto text = in_string(code, kMaxDigits, what);
    if (!text && text.code() == Errc::limit_exceeded)
        return Error(Errc::otp_code_format, std::string(what) + " is longer than " + std::to_string(kMaxDigits) + " characters");
    return text;
}

bool is_hotp(const mfa_otp& h) { return h.otp.params().type == OtpType::hotp; }

int require_time_based(const mfa_otp* otp, const char* fn) {
    if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
    if (is_hotp(*otp)) return fail(Errc::invalid_argument, std::string(fn) + " needs a totp or steam account; this one is hotp");
    return MFA_OK;
}

int put_code(char* out, std::size_t cap, std::size_t* len, const Code& code) {
    return put_string(out, cap, len, code.view());
}

// Accounts [first, first + n) of a C array, as a batch.
Result<std::vector<Account>> accounts_of(const mfa_otp_t* const* accounts, std::size_t first, std::size_t n) {
    std::vector<Account> out;
    out.reserve(n);
    for (std::size_t i = first; i < first + n; ++i) {
        if (accounts[i] == nullptr) return Error(Errc::invalid_argument, "accounts[" + std::to_string(i) + "] is NULL");
        out.push_back(to_account(*accounts[i]));
    }
    return out;
}

Status check_batching(std::size_t n_accounts, std::size_t per_batch) {
    if (n_accounts == 0) return Error(Errc::invalid_argument, "n_accounts is 0");
    if (n_accounts > kMaxMigrationAccounts)
        return Error(Errc::limit_exceeded, "n_accounts " + std::to_string(n_accounts) + " is over the limit of " +
                                               std::to_string(kMaxMigrationAccounts));
    if (per_batch == 0) return Error(Errc::invalid_argument, "per_batch is 0");
    return {};
}

}  // namespace
}  // namespace mfa::abi

using namespace mfa;
using namespace mfa::abi;

extern "C" {

int mfa_otp_params_init(mfa_otp_params_t* params) {
    return guarded([&] {
        if (params == nullptr) return fail(Errc::invalid_argument, "params is NULL");
        *params = default_c_params();
        return MFA_OK;
    });
}

int mfa_otp_uri_options_init(mfa_otp_uri_options_t* options) {
    return guarded([&] {
        if (options == nullptr) return fail(Errc::invalid_argument, "options is NULL");
        *options = mfa_otp_uri_options_t{};
        options->struct_size = sizeof *options;
        options->issuer_policy = MFA_OTP_ISSUER_STRICT;
        return MFA_OK;
    });
}

int mfa_otp_new(mfa_otp_t** otp, const mfa_otp_params_t* params, const uint8_t* secret, size_t secret_len,
                const char* issuer, const char* name) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        if (secret == nullptr && secret_len != 0) return fail(Errc::invalid_argument, "secret is NULL");
        mfa_otp_params_t c = default_c_params();
        if (params != nullptr)
            if (auto st = read_sized(params, c, kParamsV1, "params"); !st) return fail(st.error());
        auto p = from_c(c);
        if (!p) return fail(p.error());
        auto iss = in_string(issuer, kMaxUriLength, "issuer", true);
        if (!iss) return fail(iss.error());
        auto nm = in_string(name, kMaxUriLength, "name", true);
        if (!nm) return fail(nm.error());
        auto o = Otp::create(SecretBytes(std::span<const std::uint8_t>(secret, secret_len)), *p);
        if (!o) return fail(o.error());
        *otp = new mfa_otp{std::move(*o), std::string(*iss), std::string(*nm), {}};
        return MFA_OK;
    });
}

int mfa_otp_from_uri(mfa_otp_t** otp, const char* uri, const mfa_otp_uri_options_t* options) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        mfa_otp_uri_options_t c{};
        c.struct_size = sizeof c;
        if (options != nullptr)
            if (auto st = read_sized(options, c, kUriOptionsV1, "options"); !st) return fail(st.error());
        UriParseOptions opts;
        switch (c.issuer_policy) {
            case MFA_OTP_ISSUER_STRICT: opts.issuer_policy = IssuerPolicy::strict; break;
            case MFA_OTP_ISSUER_PREFER_PARAM: opts.issuer_policy = IssuerPolicy::prefer_param; break;
            case MFA_OTP_ISSUER_PREFER_LABEL: opts.issuer_policy = IssuerPolicy::prefer_label; break;
            default:
                return fail(Errc::invalid_argument,
                            "options.issuer_policy " + std::to_string(c.issuer_policy) + " is not an MFA_ISSUER_* value");
        }
        // One byte past the limit, so that the parser itself reports uri_too_long.
        auto text = in_string(uri, kMaxUriLength + 1, "uri");
        if (!text) return fail(text.error());
        auto account = parse_otpauth_uri(*text, opts);
        if (!account) return fail(account.error());
        auto h = make_handle(std::move(*account));
        if (!h) return fail(h.error());
        *otp = *h;
        return MFA_OK;
    });
}

void mfa_otp_free(mfa_otp_t** otp) {
    if (otp == nullptr) return;
    delete *otp;  // ~Otp wipes the secret (SecretBytes)
    *otp = nullptr;
}

int mfa_otp_get_params(const mfa_otp_t* otp, mfa_otp_params_t* params) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        if (params == nullptr) return fail(Errc::invalid_argument, "params is NULL");
        if (auto st = write_sized(params, to_c(otp->otp.params()), kParamsV1, "params"); !st) return fail(st.error());
        return MFA_OK;
    });
}

int mfa_otp_get_issuer(const mfa_otp_t* otp, char** issuer) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        return put_alloc(issuer, otp->issuer);
    });
}

int mfa_otp_get_name(const mfa_otp_t* otp, char** name) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        return put_alloc(name, otp->name);
    });
}

int mfa_otp_get_secret(const mfa_otp_t* otp, uint8_t** secret, size_t* len) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        const ByteView s = otp->otp.secret();
        return put_alloc(secret, len, s.data(), s.size());
    });
}

int mfa_otp_set_counter(mfa_otp_t* otp, uint64_t counter) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        if (!is_hotp(*otp)) return fail(Errc::invalid_argument, "the counter belongs to hotp accounts; this one is time-based");
        otp->otp.set_counter(counter);
        return MFA_OK;
    });
}

int mfa_otp_generate(const mfa_otp_t* otp, char* out, size_t cap, size_t* len, int64_t unix_time) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        return put_code(out, cap, len, otp->otp.generate(unix_time));
    });
}

int mfa_otp_generate_at(const mfa_otp_t* otp, char* out, size_t cap, size_t* len, uint64_t step_or_counter) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        return put_code(out, cap, len, otp->otp.at_step(step_or_counter));
    });
}

int mfa_otp_time_step(const mfa_otp_t* otp, int64_t* step, int64_t unix_time) {
    return guarded([&] {
        if (int rc = require_time_based(otp, "mfa_otp_time_step"); rc != MFA_OK) return rc;
        if (step == nullptr) return fail(Errc::invalid_argument, "step is NULL");
        *step = otp->otp.time_step(unix_time);
        return MFA_OK;
    });
}

int mfa_otp_seconds_left(const mfa_otp_t* otp, uint32_t* seconds, int64_t unix_time) {
    return guarded([&] {
        if (int rc = require_time_based(otp, "mfa_otp_seconds_left"); rc != MFA_OK) return rc;
        if (seconds == nullptr) return fail(Errc::invalid_argument, "seconds is NULL");
        *seconds = otp->otp.seconds_left(unix_time);
        return MFA_OK;
    });
}

int mfa_otp_verify_totp(const mfa_otp_t* otp, int64_t* matched_step, int64_t* drift, const char* code, int64_t now,
                        uint32_t window_past, uint32_t window_future, int64_t last_step, uint32_t flags) {
    return guarded([&] {
        if (int rc = require_time_based(otp, "mfa_otp_verify_totp"); rc != MFA_OK) return rc;
        if ((flags & ~MFA_OTP_NO_LAST_STEP) != 0)
            return fail(Errc::invalid_argument, "flags has unknown bits set");
        if (window_past > kMaxWindow || window_future > kMaxWindow)
            return fail(Errc::invalid_argument, "window is over the limit of " + std::to_string(kMaxWindow) + " steps per side");
        auto text = in_code(code, "code");
        if (!text) return fail(text.error());
        std::optional<std::int64_t> last;
        if ((flags & MFA_OTP_NO_LAST_STEP) == 0) last = last_step;
        const TotpVerification v = otp->otp.verify(*text, now, Window{window_past, window_future}, last);
        if (v.status == Errc::ok || v.status == Errc::otp_code_replayed) {
            if (matched_step != nullptr) *matched_step = v.matched_step;
            if (drift != nullptr) *drift = v.drift;
        }
        switch (v.status) {
            case Errc::ok: return MFA_OK;
            case Errc::otp_code_replayed:
                return fail(v.status, "the code is of step " + std::to_string(v.matched_step) + ", at or before the last accepted step " +
                                          std::to_string(last_step));
            case Errc::otp_code_format:
                return fail(v.status, "expected " + std::to_string(otp->otp.params().type == OtpType::steam ? kSteamDigits
                                                                                                             : otp->otp.params().digits) +
                                          " characters");
            case Errc::otp_code_mismatch:
                return fail(v.status, "no step from " + std::to_string(window_past) + " before to " + std::to_string(window_future) +
                                          " after the current one matched");
            default: return fail(v.status, "verification failed");
        }
    });
}

int mfa_otp_verify_hotp(mfa_otp_t* otp, uint64_t* next_counter, const char* code, uint32_t look_ahead) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        if (!is_hotp(*otp)) return fail(Errc::invalid_argument, "mfa_otp_verify_hotp needs an hotp account; this one is time-based");
        if (look_ahead > kMaxLookAhead)
            return fail(Errc::invalid_argument, "look_ahead is over the limit of " + std::to_string(kMaxLookAhead));
        auto text = in_code(code, "code");
        if (!text) return fail(text.error());
        const std::uint64_t first = otp->otp.params().counter;
        return finish_hotp(*otp, otp->otp.verify_hotp(*text, look_ahead), next_counter, first, first + look_ahead);
    });
}

int mfa_otp_resync_hotp(mfa_otp_t* otp, uint64_t* next_counter, const char* code1, const char* code2,
                        uint32_t look_ahead) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        if (!is_hotp(*otp)) return fail(Errc::invalid_argument, "mfa_otp_resync_hotp needs an hotp account; this one is time-based");
        if (look_ahead > kMaxResyncLookAhead)
            return fail(Errc::invalid_argument, "look_ahead is over the limit of " + std::to_string(kMaxResyncLookAhead));
        auto t1 = in_code(code1, "code1");
        if (!t1) return fail(t1.error());
        auto t2 = in_code(code2, "code2");
        if (!t2) return fail(t2.error());
        const std::uint64_t first = otp->otp.params().counter;
        return finish_hotp(*otp, otp->otp.resync_hotp(*t1, *t2, look_ahead), next_counter, first, first + look_ahead + 1);
    });
}

int mfa_otp_format_uri(const mfa_otp_t* otp, char** uri_out) {
    return guarded([&] {
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        auto uri = format_otpauth_uri(to_account(*otp));
        if (!uri) return fail(uri.error());
        return put_alloc(uri_out, uri->view());
    });
}

int mfa_otp_base32_encode(char** text_out, const uint8_t* data, size_t data_len) {
    return guarded([&] {
        if (data == nullptr && data_len != 0) return fail(Errc::invalid_argument, "data is NULL");
        // What mfa_otp_base32_decode takes back: kBase32MaxInput characters carry 5 bits each.
        constexpr std::size_t kMaxData = MFA_OTP_BASE32_MAX_DATA;
        if (data_len > kMaxData)
            return fail(Errc::limit_exceeded, "data_len is over the limit of " + std::to_string(kMaxData) + " bytes");
        const SecretString text = base32_encode(ByteView(data, data_len));
        return put_alloc(text_out, text.view());
    });
}

int mfa_otp_base32_decode(uint8_t** data, size_t* len, const char* text) {
    return guarded([&] {
        // One past the limit so that the decoder reports limit_exceeded itself.
        auto in = in_string(text, kBase32MaxInput + 1, "text");
        if (!in) return fail(in.error());
        auto bytes = base32_decode(*in);
        if (!bytes) return fail(bytes.error());
        return put_alloc(data, len, bytes->data(), bytes->size());
    });
}

int mfa_otp_random_secret(uint8_t* out, size_t cap, size_t* len, size_t n_bytes) {
    return guarded([&] {
        const std::size_t n = n_bytes == 0 ? kDefaultSecretBytes : n_bytes;
        if (n > kMaxSecretBytes)
            return fail(Errc::limit_exceeded, "n_bytes " + std::to_string(n) + " is over the limit of " + std::to_string(kMaxSecretBytes));
        if (len == nullptr) return fail(Errc::invalid_argument, "len is NULL");
        if (n > cap) {
            *len = n;
            return fail(Errc::buffer_too_small, "need " + std::to_string(n) + " bytes");
        }
        auto s = generate_secret(n);
        if (!s) return fail(s.error());
        return put_bytes(out, cap, len, s->data(), s->size());
    });
}

int mfa_otp_migration_parse(mfa_otp_migration_t** migration, const char* uri) {
    return guarded([&] {
        if (migration == nullptr) return fail(Errc::invalid_argument, "migration is NULL");
        auto text = in_string(uri, kMaxMigrationUriLength + 1, "uri");
        if (!text) return fail(text.error());
        auto batch = parse_migration_uri(*text);
        if (!batch) return fail(batch.error());
        *migration = new mfa_otp_migration{std::move(*batch)};
        return MFA_OK;
    });
}

void mfa_otp_migration_free(mfa_otp_migration_t** migration) {
    if (migration == nullptr) return;
    delete *migration;  // the accounts' SecretBytes wipe themselves
    *migration = nullptr;
}

int mfa_otp_migration_get_count(const mfa_otp_migration_t* migration, size_t* count) {
    return guarded([&] {
        if (migration == nullptr) return fail(Errc::invalid_argument, "migration is NULL");
        if (count == nullptr) return fail(Errc::invalid_argument, "count is NULL");
        *count = migration->batch.accounts.size();
        return MFA_OK;
    });
}

int mfa_otp_migration_get_batch(const mfa_otp_migration_t* migration, int32_t* batch_size, int32_t* batch_index,
                            int32_t* batch_id) {
    return guarded([&] {
        if (migration == nullptr) return fail(Errc::invalid_argument, "migration is NULL");
        if (batch_size != nullptr) *batch_size = migration->batch.batch_size;
        if (batch_index != nullptr) *batch_index = migration->batch.batch_index;
        if (batch_id != nullptr) *batch_id = migration->batch.batch_id;
        return MFA_OK;
    });
}

int mfa_otp_migration_get_account(const mfa_otp_migration_t* migration, mfa_otp_t** otp, size_t index) {
    return guarded([&] {
        if (migration == nullptr) return fail(Errc::invalid_argument, "migration is NULL");
        if (otp == nullptr) return fail(Errc::invalid_argument, "otp is NULL");
        const auto& accounts = migration->batch.accounts;
        if (index >= accounts.size())
            return fail(Errc::not_found, "index " + std::to_string(index) + " is past the " + std::to_string(accounts.size()) + " accounts");
        auto h = make_handle(accounts[index].clone());
        if (!h) return fail(h.error());
        *otp = *h;
        return MFA_OK;
    });
}

int mfa_otp_migration_get_uri(const mfa_otp_migration_t* migration, char** uri_out, size_t index) {
    return guarded([&] {
        if (migration == nullptr) return fail(Errc::invalid_argument, "migration is NULL");
        const auto& accounts = migration->batch.accounts;
        if (index >= accounts.size())
            return fail(Errc::not_found, "index " + std::to_string(index) + " is past the " + std::to_string(accounts.size()) + " accounts");
        auto uri = format_otpauth_uri(accounts[index]);
        if (!uri) return fail(uri.error());
        return put_alloc(uri_out, uri->view());
    });
}

int mfa_otp_migration_batch_count(size_t* batches, size_t n_accounts, size_t per_batch) {
    return guarded([&] {
        if (batches == nullptr) return fail(Errc::invalid_argument, "batches is NULL");
        if (auto st = check_batching(n_accounts, per_batch); !st) return fail(st.error());
        *batches = (n_accounts + per_batch - 1) / per_batch;
        return MFA_OK;
    });
}

int mfa_otp_migration_build_uri(char** uri_out, const mfa_otp_t* const* accounts, size_t n_accounts, size_t per_batch,
                                int32_t batch_id, size_t batch_index) {
    return guarded([&] {
        if (accounts == nullptr) return fail(Errc::invalid_argument, "accounts is NULL");
        if (auto st = check_batching(n_accounts, per_batch); !st) return fail(st.error());
        const std::size_t batches = (n_accounts + per_batch - 1) / per_batch;
        if (batch_index >= batches)
            return fail(Errc::not_found, "batch_index " + std::to_string(batch_index) + " is past the " +
                                             std::to_string(batches) + " batches");
        const std::size_t first = batch_index * per_batch;
        const std::size_t n = std::min(per_batch, n_accounts - first);
        auto slice = accounts_of(accounts, first, n);
        if (!slice) return fail(slice.error());
        MigrationBatch batch;
        batch.accounts = std::move(*slice);
        batch.batch_size = static_cast<std::int32_t>(batches);
        batch.batch_index = static_cast<std::int32_t>(batch_index);
        batch.batch_id = batch_id;
        auto uri = build_migration_uri(batch);
        if (!uri) return fail(uri.error());
        return put_alloc(uri_out, uri->view());
    });
}

}  // extern "C"
