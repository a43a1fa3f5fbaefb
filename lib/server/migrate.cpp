// Importing existing second factors (mfa/server/migrate.hpp): google-authenticator-libpam's file,
// pam-u2f's mappings and the `mfa pam enroll` enrollment file.
#include "mfa/server/migrate.hpp"

#include "mfa/cbor.hpp"
#include "mfa/cose.hpp"
#include "mfa/encoding.hpp"
#include "mfa/json.hpp"
#include "otp/text.hpp"

namespace mfa::server {
namespace {

using otpauth_detail::hash_from_name;
using otpauth_detail::hash_name;
using otpauth_detail::parse_decimal;

// The lines of a text file ("\n" or "\r\n"), numbered from 1.
class Lines {
public:
    explicit Lines(std::string_view text) : text_(text) {}
    bool next(std::string_view& line) {
        if (pos_ >= text_.size()) return false;
        std::size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        line = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        ++number_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return true;
    }
    std::size_t number() const noexcept { return number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0, number_ = 0;
};

bool printable_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
    return true;
}

Error bad_line(std::size_t line, std::string_view why) {
    return Error{Errc::parse, "google_authenticator line " + std::to_string(line) + ": " + std::string(why)};
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

// A signed decimal ("-3"), for TIME_SKEW and the skew entries.
std::optional<std::int64_t> parse_signed(std::string_view s, std::uint64_t max) {
    const bool neg = !s.empty() && s.front() == '-';
    auto v = parse_decimal(neg ? s.substr(1) : s, max);
    if (!v) return std::nullopt;
    return neg ? -static_cast<std::int64_t>(*v) : static_cast<std::int64_t>(*v);
}

Error u2f_error(std::size_t line, std::size_t cred, std::string_view why) {
    std::string where = "u2f_keys line " + std::to_string(line);
    if (cred) where += ", credential " + std::to_string(cred);
    return Error{Errc::parse, where + ": " + std::string(why)};
}

// Splits on one separator, keeping empty fields (pam-u2f's strtok would merge them: here they are
// errors the caller names).
std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (true) {
        const std::size_t j = s.find(sep, i);
        out.push_back(s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (j == std::string_view::npos) return out;
        i = j + 1;
    }
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    return true;
}

// The raw key pam-u2f stores, as a COSE_Key of the WebAuthn credential record.
Result<Bytes> u2f_cose_key(cose::Alg alg, ByteView raw) {
    cbor::Map m;
    if (alg == cose::Alg::ES256) {
        if (raw.size() == 65 && raw[0] == 0x04) raw = raw.subspan(1);
        if (raw.size() != 64) return Error{Errc::parse, "an es256 key is 64 bytes (x||y) or 65 (0x04||x||y), not " + std::to_string(raw.size())};
        m = {{1, 2}, {3, -7}, {-1, 1}, {-2, Bytes(raw.begin(), raw.begin() + 32)}, {-3, Bytes(raw.begin() + 32, raw.end())}};
    } else if (alg == cose::Alg::EdDSA) {
        if (raw.size() != 32) return Error{Errc::parse, "an eddsa key is 32 bytes, not " + std::to_string(raw.size())};
        m = {{1, 1}, {3, -8}, {-1, 6}, {-2, Bytes(raw.begin(), raw.end())}};
    } else {
        // libfido2's rs256_pk_t: a 2048-bit modulus and a 3-byte exponent.
        if (raw.size() != 259) return Error{Errc::parse, "an rs256 key is 259 bytes (modulus || exponent), not " + std::to_string(raw.size())};
        Bytes e(raw.begin() + 256, raw.end());
        while (!e.empty() && e.front() == 0) e.erase(e.begin());
        m = {{1, 3}, {3, -257}, {-1, Bytes(raw.begin(), raw.begin() + 256)}, {-2, std::move(e)}};
    }
    auto enc = cbor::encode(cbor::Value(std::move(m)));
    if (!enc) return std::move(enc).error();
    // The same checks as a registered key's (a point on the curve, a modulus of 2048 bits or more).
    if (auto k = cose::decode_key(*enc); !k) return Error{Errc::parse, k.error().detail};
    return enc;
}

Result<U2fKey> parse_u2f_credential(std::string_view text, std::size_t line, std::size_t n) {
    const auto f = split(text, ',');
    if (f.size() < 2 || f.size() > 4) return u2f_error(line, n, "expected keyHandle,publicKey[,coseType[,options]]");
    for (std::size_t i = 0; i < f.size(); ++i)
        if (f[i].empty() && i < 3) return u2f_error(line, n, i == 0 ? "empty key handle" : i == 1 ? "empty public key" : "empty COSE type");
    U2fKey k;
    k.old_format = f.size() == 2;
    const bool resident = f[0] == "*";
    if (!resident) {
        // Old files: websafe base64 without padding (pam-u2f converts it); pamu2fcfg: standard.
        auto id = base64_decode(f[0], k.old_format ? Base64Mode::lenient : Base64Mode::standard);
        if (!id) return u2f_error(line, n, std::string("key handle: not ") + (k.old_format ? "base64" : "standard base64"));
        if (id->empty() || id->size() > 1023) return u2f_error(line, n, "key handle: 1..1023 bytes");
        k.credential_id = std::move(*id);
    } else if (k.old_format) {
        return u2f_error(line, n, "key handle: '*' (resident) needs the COSE type");
    }
    cose::Alg alg = cose::Alg::ES256;
    if (!k.old_format) {
        if (iequals(f[2], "es256")) alg = cose::Alg::ES256;
        else if (iequals(f[2], "eddsa")) alg = cose::Alg::EdDSA;
        else if (iequals(f[2], "rs256")) alg = cose::Alg::RS256;
        else return u2f_error(line, n, "COSE type: es256, eddsa or rs256");
    }
    auto raw = k.old_format ? hex_decode(f[1]) : base64_decode(f[1], Base64Mode::standard);
    if (!raw) return u2f_error(line, n, std::string("public key: not ") + (k.old_format ? "hex" : "standard base64"));
    if (k.old_format && (raw->size() != 65 || (*raw)[0] != 0x04))
        return u2f_error(line, n, "public key: the old format holds the 65-byte uncompressed P-256 point");
    auto cose_key = u2f_cose_key(alg, *raw);
    if (!cose_key) return u2f_error(line, n, "public key: " + cose_key.error().detail);
    k.public_key = std::move(*cose_key);
    k.alg = static_cast<int>(alg);
    if (k.old_format) {
        k.presence = true;
    } else if (f.size() == 4) {
        std::string_view o = f[3];
        while (!o.empty()) {
            bool* flag = o.starts_with("+presence") ? &k.presence : o.starts_with("+verification") ? &k.verification
                         : o.starts_with("+pin") ? &k.pin : nullptr;
            if (!flag) return u2f_error(line, n, "options: a run of +presence, +verification, +pin");
            if (*flag) return u2f_error(line, n, "options: one named twice");
            *flag = true;
            o.remove_prefix(flag == &k.presence ? 9 : flag == &k.verification ? 13 : 4);
        }
    }
    return k;
}

}  // namespace

Result<std::vector<U2fMapping>> parse_u2f_mappings(std::string_view text, std::string_view only_user) {
    if (text.size() > kMaxU2fMappingFile) return Error{Errc::limit_exceeded, "u2f_keys file larger than 1 MiB"};
    std::vector<U2fMapping> out;
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
        const std::size_t line_no = lines.number();
        if (line.empty() || line.front() == '#') continue;
        const std::size_t colon = line.find(':');
        const std::string_view user = line.substr(0, colon);
        if (!only_user.empty() && user != only_user) continue;
        if (!printable_ascii(line)) return u2f_error(line_no, 0, "a byte that is not printable ASCII");
        if (user.empty()) return u2f_error(line_no, 0, "no user name before ':'");
        if (user.size() > kMaxUserName) return u2f_error(line_no, 0, "a user name longer than 256 bytes");
        if (colon == std::string_view::npos || colon + 1 == line.size()) return u2f_error(line_no, 0, "no credential after the user name");
        U2fMapping m;
        m.user = std::string(user);
        m.line = line_no;
        const auto creds = split(line.substr(colon + 1), ':');
        if (creds.size() > kMaxU2fKeysPerUser) return u2f_error(line_no, 0, "more than 24 credentials");
        for (std::size_t i = 0; i < creds.size(); ++i) {
            auto k = parse_u2f_credential(creds[i], line_no, i + 1);
            if (!k) return std::move(k).error();
            m.keys.push_back(std::move(*k));
        }
        out.push_back(std::move(m));
    }
    return out;
}

const U2fMapping* u2f_mapping_for(const std::vector<U2fMapping>& mappings, std::string_view user) noexcept {
    const U2fMapping* found = nullptr;
    for (const auto& m : mappings)
        if (m.user == user) found = &m;
    return found;
}

Result<ImportReport> import_u2f_keys(Toolkit& tk, std::string_view user, const U2fMapping& mapping,
                                     const RequestContext& ctx) {
    ImportReport rep;
    bool wants_uv = false, no_presence = false;
    for (std::size_t i = 0; i < mapping.keys.size(); ++i) {
        const U2fKey& k = mapping.keys[i];
        const std::string name = "pam-u2f key " + std::to_string(i + 1);
        if (k.credential_id.empty()) {
            rep.notes.push_back(name + " skipped: a resident credential ('*'), the file has no credential id to import");
            continue;
        }
        webauthn::CredentialRecord rec;
        rec.id = k.credential_id;
        rec.public_key = k.public_key;
        rec.alg = k.alg;
        auto info = tk.webauthn_import(user, std::move(rec), name, ctx);
        if (!info) {
            if (info.code() != Errc::webauthn_credential_registered) return std::move(info).error();
            rep.notes.push_back(name + " already registered: kept");
            continue;
        }
        ++rep.keys_imported;
        wants_uv = wants_uv || k.pin || k.verification;
        no_presence = no_presence || !k.presence;
    }
    if (wants_uv) rep.notes.push_back("+pin/+verification is not per key here: the module's `pin` option asks every key for its PIN");
    if (no_presence) rep.notes.push_back("a key without +presence: the module always asks for a touch");
    return rep;
}

std::vector<std::string> drop_other_appid_keys(U2fMapping& mapping, std::string_view appid, std::string_view rp_id) {
    std::vector<std::string> notes;
    if (appid.empty() || appid == rp_id) return notes;
    std::vector<U2fKey> kept;
    for (std::size_t i = 0; i < mapping.keys.size(); ++i) {
        if (!mapping.keys[i].old_format) {
            kept.push_back(std::move(mapping.keys[i]));
            continue;
        }
        notes.push_back("pam-u2f key " + std::to_string(i + 1) + " skipped: an old-format key registered under appid " +
                        std::string(appid) + ", and keys verify under " + std::string(rp_id));
    }
    mapping.keys = std::move(kept);
    return notes;
}

Result<std::vector<U2fUserImport>> import_u2f_mappings(Toolkit& tk, std::string_view text, const U2fImportOptions& opts,
                                                       const RequestContext& ctx) {
    auto maps = parse_u2f_mappings(text, opts.only_user);
    if (!maps) return std::move(maps).error();
    if (!opts.only_user.empty() && !u2f_mapping_for(*maps, opts.only_user))
        return Error{Errc::not_found, "no line for " + std::string(opts.only_user) + " in the u2f_keys file"};
    const std::string rp_id = tk.config().webauthn ? tk.config().webauthn->rp_id : std::string();
    std::vector<U2fUserImport> out;
    for (const auto& m : *maps) {
        if (u2f_mapping_for(*maps, m.user) != &m) continue;  // a later line of the user wins
        U2fMapping mapping = m;
        auto dropped = drop_other_appid_keys(mapping, opts.appid, rp_id);
        auto rep = import_u2f_keys(tk, mapping.user, mapping, ctx);
        if (!rep) return Error{rep.code(), mapping.user + ": " + rep.error().detail};
        rep->notes.insert(rep->notes.begin(), dropped.begin(), dropped.end());
        out.push_back({mapping.user, mapping.line, std::move(*rep)});
    }
    return out;
}

std::string google_authenticator_import_json(std::string_view user, const ImportReport& r) {
    return nlohmann::json{{"user", user}, {"totp_imported", r.totp_imported}, {"recovery_codes", r.recovery_codes},
                          {"notes", r.notes}}
        .dump();
}

std::string u2f_import_json(const std::vector<U2fUserImport>& users) {
    auto list = nlohmann::json::array();
    std::size_t total = 0;
    for (const auto& u : users) {
        total += u.report.keys_imported;
        list.push_back({{"user", u.user}, {"line", u.line}, {"keys_imported", u.report.keys_imported}, {"notes", u.report.notes}});
    }
    return nlohmann::json{{"users", std::move(list)}, {"keys_imported", total}}.dump();
}

Result<GoogleAuthenticatorFile> parse_google_authenticator(std::string_view text) {
    if (text.size() > kMaxGoogleAuthenticatorFile)
        return Error{Errc::limit_exceeded, "google_authenticator file larger than 1 KiB"};
    GoogleAuthenticatorFile f;
    bool have_secret = false, scratch_started = false;
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
        const std::size_t line_no = lines.number();
        if (!printable_ascii(line)) return bad_line(line_no, "a byte that is not printable ASCII");
        if (!have_secret) {
            if (line.empty()) return bad_line(line_no, "the first line must be the base32 secret");
            for (char c : line)
                if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
                    return bad_line(line_no, "the secret has a character outside A-Z2-7");
            auto s = base32_decode(line);
            if (!s) return bad_line(line_no, "the secret is not valid base32");
            if (s->empty() || s->size() > kMaxSecretBytes) return bad_line(line_no, "the secret length is out of range");
            f.secret = std::move(*s);
            have_secret = true;
            continue;
        }
        if (line.empty()) continue;
        if (line.size() >= 2 && line[0] == '"' && line[1] == ' ') {
            if (scratch_started) return bad_line(line_no, "an option after the scratch codes");
            auto w = words(line.substr(2));
            if (w.empty()) return bad_line(line_no, "an empty option");
            const std::string_view name = w[0];
            auto arg = [&](std::size_t i, std::uint64_t max) -> std::optional<std::uint64_t> {
                return i < w.size() ? parse_decimal(w[i], max) : std::nullopt;
            };
            if (name == "TOTP_AUTH") {
                f.totp = true;
            } else if (name == "HOTP_COUNTER") {
                auto c = arg(1, UINT64_MAX);
                if (!c || w.size() != 2) return bad_line(line_no, "HOTP_COUNTER needs one counter");
                f.hotp_counter = *c;
            } else if (name == "WINDOW_SIZE") {
                auto n = arg(1, 100);
                if (!n || *n < 1 || w.size() != 2) return bad_line(line_no, "WINDOW_SIZE needs a number 1..100");
                f.window_size = static_cast<unsigned>(*n);
            } else if (name == "STEP_SIZE") {
                auto n = arg(1, kMaxPeriod);
                if (!n || *n < 1 || w.size() != 2) return bad_line(line_no, "STEP_SIZE needs seconds 1..86400");
                f.step_size = static_cast<std::uint32_t>(*n);
            } else if (name == "DISALLOW_REUSE") {
                for (std::size_t i = 1; i < w.size(); ++i)  // the module's record of used steps
                    if (!parse_decimal(w[i], UINT64_MAX)) return bad_line(line_no, "DISALLOW_REUSE: a step that is not a number");
                f.disallow_reuse = true;
            } else if (name == "RATE_LIMIT") {
                auto n = arg(1, 100), m = arg(2, 86400);
                if (!n || !m || *n < 1 || *m < 1) return bad_line(line_no, "RATE_LIMIT needs attempts 1..100 and seconds 1..86400");
                for (std::size_t i = 3; i < w.size(); ++i)  // timestamps of recent logins
                    if (!parse_decimal(w[i], UINT64_MAX)) return bad_line(line_no, "RATE_LIMIT: a timestamp that is not a number");
                f.rate_limit = std::pair{static_cast<unsigned>(*n), static_cast<unsigned>(*m)};
            } else if (name == "TIME_SKEW") {
                auto s = w.size() == 2 ? parse_signed(w[1], 1u << 20) : std::nullopt;
                if (!s) return bad_line(line_no, "TIME_SKEW needs one number of steps");
                f.time_skew = *s;
            } else if (name == "RESETTING_TIME_SKEW") {
                for (std::size_t i = 1; i < w.size(); ++i) {  // "<timestamp><+|-skew>" entries
                    const std::string_view e = w[i];
                    const auto sign = e.find_first_of("+-");
                    if (sign == std::string_view::npos || sign == 0 || !parse_decimal(e.substr(0, sign), UINT64_MAX) ||
                        !parse_signed(e[sign] == '+' ? e.substr(sign + 1) : e.substr(sign), 1u << 20))
                        return bad_line(line_no, "RESETTING_TIME_SKEW: an entry that is not <time><+|-skew>");
                }
            } else {
                return bad_line(line_no, "unknown option '" + std::string(name.substr(0, 32)) + "'");
            }
            continue;
        }
        if (line.size() != 8) return bad_line(line_no, "a scratch code must be 8 digits");
        for (char c : line)
            if (c < '0' || c > '9') return bad_line(line_no, "a scratch code must be 8 digits");
        if (f.scratch_codes.size() >= kMaxRecoveryCodes) return bad_line(line_no, "more than 100 scratch codes");
        f.scratch_codes.emplace_back(line);
        scratch_started = true;
    }
    if (!have_secret) return Error{Errc::parse, "google_authenticator file is empty"};
    if (!f.totp && !f.hotp_counter) return Error{Errc::parse, "google_authenticator file has neither TOTP_AUTH nor HOTP_COUNTER"};
    if (f.hotp_counter) f.totp = false;  // the module's own rule: HOTP_COUNTER wins
    return f;
}

Result<ImportReport> import_google_authenticator(Toolkit& tk, std::string_view user, const GoogleAuthenticatorFile& f,
                                                 const RequestContext& ctx) {
    if (f.hotp_counter && *f.hotp_counter == 0)
        return Error{Errc::unsupported, "HOTP_COUNTER 0: google-authenticator verifies no counter code with it"};
    ImportReport rep;
    OtpParams p;
    p.algorithm = HashAlg::sha1;  // the module only does SHA-1, 6 digits
    p.digits = 6;
    Status st;
    if (f.hotp_counter) {
        // The module accepts the counter and the WINDOW_SIZE - 1 codes after it, and moves the
        // counter past the code it accepted: the same look-ahead here.
        p.type = OtpType::hotp;
        p.counter = *f.hotp_counter;
        st = tk.hotp_import(user, f.secret.view(), p, f.window_size - 1, "", ctx);
    } else {
        p.type = OtpType::totp;
        p.period = f.step_size;
        st = tk.totp_import(user, f.secret.view(), p, "", ctx);
    }
    if (!st) {
        if (st.code() != Errc::factor_already_enrolled) return std::move(st).error();
        rep.notes.push_back("a TOTP factor was already in the store: kept, scratch codes not added");
        return rep;
    }
    rep.totp_imported = true;
    if (!f.scratch_codes.empty()) {
        MFA_TRY(tk.recovery_import(user, f.scratch_codes, ctx));
        rep.recovery_codes = f.scratch_codes.size();
    }
    if (f.hotp_counter) {
        rep.notes.push_back("HOTP counter " + std::to_string(*f.hotp_counter) + " and WINDOW_SIZE " + std::to_string(f.window_size) +
                            " kept; a wrong code no longer moves the counter (the store's throttle counts failures)");
        if (f.rate_limit) rep.notes.push_back("RATE_LIMIT not kept: the store's throttle applies to every login");
        return rep;
    }
    const unsigned side = (f.window_size - 1) / 2;
    if (side != tk.config().window.past || side != tk.config().window.future)
        rep.notes.push_back("WINDOW_SIZE " + std::to_string(f.window_size) + " not kept: the module's window applies");
    if (f.rate_limit) rep.notes.push_back("RATE_LIMIT not kept: the store's throttle applies to every login");
    if (!f.disallow_reuse) rep.notes.push_back("codes can no longer be reused: the store's replay guard is always on");
    if (f.time_skew != 0) rep.notes.push_back("TIME_SKEW not kept");
    return rep;
}

SecretString enrollment_file_json(const EnrollmentFile& f) {
    SecretString out("{\"v\":1,\"user\":");
    append_json_string(out, f.user);
    out.append(",\"created\":");
    out.append(std::to_string(f.created));
    if (f.has_totp) {
        out.append(",\"totp\":{\"secret\":\"");
        out.append(base32_encode(f.totp_secret.view()).view());
        out.append("\",\"alg\":\"");
        out.append(hash_name(f.totp_params.algorithm));
        out.append("\",\"digits\":");
        out.append(std::to_string(f.totp_params.digits));
        out.append(",\"period\":");
        out.append(std::to_string(f.totp_params.period));
        out.append("}");
    }
    if (!f.keys.empty()) {
        out.append(",\"keys\":[");
        for (std::size_t i = 0; i < f.keys.size(); ++i) {
            if (i) out.append(",");
            out.append("{\"name\":");
            append_json_string(out, f.keys[i].name);
            out.append(",\"record\":");
            out.append(webauthn::to_json(f.keys[i].record));
            out.append("}");
        }
        out.append("]");
    }
    out.append("}\n");
    return out;
}

Result<EnrollmentFile> parse_enrollment_file(std::string_view text) {
    if (text.size() > kMaxEnrollmentFile) return Error{Errc::limit_exceeded, "enrollment file larger than 16 KiB"};
    auto parsed = json::parse_object(text, {.code = Errc::parse, .what = "enrollment file", .max_bytes = kMaxEnrollmentFile});
    if (!parsed) return std::move(parsed).error();
    const auto& j = *parsed;
    auto bad = [](std::string_view why) { return Error{Errc::parse, "enrollment file: " + std::string(why)}; };
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "v" && it.key() != "user" && it.key() != "created" && it.key() != "totp" && it.key() != "keys")
            return bad("unknown member '" + it.key().substr(0, 32) + "'");
    if (!j.contains("v") || !j["v"].is_number_unsigned() || j["v"].get<std::uint64_t>() != 1) return bad("v must be 1");
    if (!j.contains("user") || !j["user"].is_string() || j["user"].get_ref<const std::string&>().empty())
        return bad("user must be a non-empty string");
    if (!j.contains("created") || !j["created"].is_number_integer()) return bad("created must be an integer");
    EnrollmentFile f;
    if (j.contains("keys")) {
        if (!j["keys"].is_array() || j["keys"].empty() || j["keys"].size() > kMaxEnrollmentKeys)
            return bad("keys must be an array of 1..8 keys");
        for (const auto& k : j["keys"]) {
            if (!k.is_object() || k.size() != 2 || !k.contains("name") || !k["name"].is_string() || !k.contains("record") ||
                !k["record"].is_object())
                return bad("a key must be {\"name\": string, \"record\": object}");
            const auto& name = k["name"].get_ref<const std::string&>();
            if (name.size() > kMaxSecurityKeyName) return bad("a key name is longer than 128 bytes");
            auto rec = webauthn::record_from_json(k["record"].dump());
            if (!rec) return bad("key record: " + rec.error().detail);
            if (rec->id.empty() || rec->public_key.empty()) return bad("key record without id or public key");
            f.keys.push_back({name, std::move(*rec)});
        }
    }
    if (!j.contains("totp")) {
        if (f.keys.empty()) return bad("neither totp nor keys");
        f.user = j["user"].get<std::string>();
        if (f.user.size() > kMaxUserName) return bad("user is longer than 256 bytes");
        f.created = j["created"].get<std::int64_t>();
        return f;
    }
    if (!j["totp"].is_object()) return bad("totp must be an object");
    const auto& t = j["totp"];
    for (auto it = t.begin(); it != t.end(); ++it)
        if (it.key() != "secret" && it.key() != "alg" && it.key() != "digits" && it.key() != "period")
            return bad("totp: unknown member '" + it.key().substr(0, 32) + "'");
    if (!t.contains("secret") || !t["secret"].is_string()) return bad("totp.secret must be a base32 string");
    if (!t.contains("alg") || !t["alg"].is_string()) return bad("totp.alg must be SHA1, SHA256 or SHA512");
    if (!t.contains("digits") || !t["digits"].is_number_unsigned()) return bad("totp.digits must be a number");
    if (!t.contains("period") || !t["period"].is_number_unsigned()) return bad("totp.period must be a number");
    f.user = j["user"].get<std::string>();
    if (f.user.size() > kMaxUserName) return bad("user is longer than 256 bytes");
    f.created = j["created"].get<std::int64_t>();
    f.has_totp = true;
    auto alg = hash_from_name(t["alg"].get_ref<const std::string&>());
    if (!alg) return bad("totp.alg must be SHA1, SHA256 or SHA512");
    auto secret = base32_decode(t["secret"].get_ref<const std::string&>());
    if (!secret || secret->empty()) return bad("totp.secret is not base32");
    const auto digits = t["digits"].get<std::uint64_t>(), period = t["period"].get<std::uint64_t>();
    if (digits < kMinDigits || digits > kMaxDigits) return bad("totp.digits out of range");
    if (period < 1 || period > kMaxPeriod) return bad("totp.period out of range");
    f.totp_params.type = OtpType::totp;
    f.totp_params.algorithm = *alg;
    f.totp_params.digits = static_cast<unsigned>(digits);
    f.totp_params.period = static_cast<std::uint32_t>(period);
    MFA_TRY(validate(f.totp_params));
    if (secret->size() > kMaxSecretBytes) return bad("totp.secret is too long");
    f.totp_secret = std::move(*secret);
    return f;
}

}  // namespace mfa::server
