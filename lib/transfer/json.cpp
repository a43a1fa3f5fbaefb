#include "json.hpp"

#include "mfa/encoding.hpp"

namespace mfa::vault_detail {

Result<Json> parse_json(std::string_view text, std::string_view what) {
    return json::parse(text, {.code = Errc::parse, .what = what, .max_bytes = kImportMaxBytes});
}

void wipe_json(Json& j) noexcept {
    if (j.is_string()) {
        auto& s = j.get_ref<std::string&>();
        secure_wipe(s.data(), s.size());
    } else if (j.is_structured()) {
        for (auto& v : j) wipe_json(v);
    }
}

Result<Field> Field::at(std::string_view key) const {
    if (!j_->is_object()) return bad("not an object");
    auto it = j_->find(key);
    if (it == j_->end()) return Error(Errc::parse, path_ + "." + std::string(key) + ": missing");
    return Field(*it, path_ + "." + std::string(key));
}

std::optional<Field> Field::opt(std::string_view key) const {
    if (!j_->is_object()) return std::nullopt;
    auto it = j_->find(key);
    if (it == j_->end() || it->is_null()) return std::nullopt;
    return Field(*it, path_ + "." + std::string(key));
}

Result<std::string> Field::str() const {
    if (!j_->is_string()) return bad("not a string");
    return j_->get<std::string>();
}

Result<std::uint64_t> Field::uint(std::uint64_t max) const {
    // nlohmann counts unsigned numbers as integers too: only a signed one can be negative.
    if (!j_->is_number_integer()) return bad("not an integer");
    if (!j_->is_number_unsigned() && j_->get<std::int64_t>() < 0) return bad("negative");
    const auto v = j_->get<std::uint64_t>();
    if (v > max) return bad("larger than " + std::to_string(max));
    return v;
}

namespace {
// Export files spell algorithms and types in either case ("sha1", "SHA1", "totp").
std::string ascii_upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}
}  // namespace

Result<HashAlg> parse_algorithm(const Field& f) {
    auto s = f.str();
    if (!s) return std::move(s).error();
    const std::string u = ascii_upper(*s);
    if (u == "SHA1") return HashAlg::sha1;
    if (u == "SHA256") return HashAlg::sha256;
    if (u == "SHA512") return HashAlg::sha512;
    return f.bad("algorithm '" + *s + "' is not SHA1, SHA256 or SHA512");
}

Result<SecretBytes> parse_base32_secret(const Field& f) {
    if (!f.json().is_string()) return f.bad("not a string");
    const auto& s = f.json().get_ref<const std::string&>();
    auto b = base32_decode(s);
    if (!b) return Error(b.code(), f.path() + ": " + b.error().detail);
    if (b->empty()) return f.bad("empty secret");
    return b;
}

Status check_account(const Account& a, const std::string& path) {
    if (auto st = validate(a.params); !st) return Error(Errc::parse, path + ": " + st.error().detail);
    if (a.secret.size() < kMinSecretBytes || a.secret.size() > kMaxSecretBytes)
        return Error(Errc::parse, path + ": secret of " + std::to_string(a.secret.size()) + " bytes");
    if (a.issuer.empty() && a.name.empty()) return Error(Errc::parse, path + ": neither issuer nor name");
    return {};
}

Result<OtpType> parse_type(const Field& f) {
    auto s = f.str();
    if (!s) return std::move(s).error();
    const std::string u = ascii_upper(*s);
    if (u == "TOTP") return OtpType::totp;
    if (u == "HOTP") return OtpType::hotp;
    if (u == "STEAM") return OtpType::steam;
    return Error(Errc::unsupported, f.path() + ": type " + *s);
}

Result<std::string> opt_str(const Field& f, std::string_view key) {
    auto o = f.opt(key);
    if (!o) return std::string();
    return o->str();
}

Result<std::uint64_t> opt_uint(const Field& f, std::string_view key, std::uint64_t def, std::uint64_t max) {
    auto o = f.opt(key);
    if (!o) return def;
    return o->uint(max);
}

Result<Json> parse_decrypted(const SecretBytes& plain, const std::string& where) {
    auto j = parse_json(as_chars(plain.view()), where);
    if (!j) return Error(j.code(), where + ": the decrypted text is not valid JSON");
    return j;
}

}  // namespace mfa::vault_detail
