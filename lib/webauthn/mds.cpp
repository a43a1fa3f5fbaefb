// FIDO MDS3 BLOB: verify the JWT to the configured root, then read the entries the RP needs.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "jws.hpp"
#include "mfa/encoding.hpp"
#include "mfa/webauthn/mds.hpp"
#include "x509.hpp"

namespace mfa::webauthn {
namespace {

using nlohmann::json;

Error bad(const std::string& what) { return Error(Errc::mds_blob_invalid, what); }

// "YYYY-MM-DD", digits where they belong.
bool is_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
    return true;
}

std::string utc_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" -> 16 bytes.
std::optional<std::array<std::uint8_t, 16>> parse_aaguid(std::string_view s) {
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return std::nullopt;
    std::string hex;
    for (char c : s)
        if (c != '-') hex.push_back(c);
    auto b = hex_decode(hex);
    if (!b || b->size() != 16) return std::nullopt;
    std::array<std::uint8_t, 16> out{};
    std::copy(b->begin(), b->end(), out.begin());
    return out;
}

const std::string* get_string(const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

Result<MdsEntry> parse_entry(const json& e, std::size_t index) {
    const std::string where = "entries[" + std::to_string(index) + "]";
    if (!e.is_object()) return bad(where + " is not an object");
    MdsEntry out;
    if (auto it = e.find("aaguid"); it != e.end()) {
        auto a = it->is_string() ? parse_aaguid(it->get_ref<const std::string&>()) : std::nullopt;
        if (!a) return bad(where + ".aaguid is not a UUID string");
        out.aaguid = a;
    }
    if (auto it = e.find("attestationCertificateKeyIdentifiers"); it != e.end()) {
        if (!it->is_array()) return bad(where + ".attestationCertificateKeyIdentifiers is not an array");
        for (const auto& k : *it) {
            if (!k.is_string()) return bad(where + ".attestationCertificateKeyIdentifiers holds a non-string");
            std::string id = k.get<std::string>();
            std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (!hex_decode(id)) return bad(where + ".attestationCertificateKeyIdentifiers holds a non-hex value");
            out.attestation_certificate_key_identifiers.push_back(std::move(id));
        }
    }
    if (auto it = e.find("metadataStatement"); it != e.end()) {
        if (!it->is_object()) return bad(where + ".metadataStatement is not an object");
        if (const std::string* d = get_string(*it, "description")) out.description = *d;
        if (auto roots = it->find("attestationRootCertificates"); roots != it->end()) {
            if (!roots->is_array()) return bad(where + ".metadataStatement.attestationRootCertificates is not an array");
            for (const auto& r : *roots) {
                if (!r.is_string()) return bad(where + ".metadataStatement.attestationRootCertificates holds a non-string");
                auto der = base64_decode(r.get_ref<const std::string&>(), Base64Mode::standard);
                if (!der) return bad(where + ".metadataStatement.attestationRootCertificates holds invalid Base64");
                out.attestation_root_certificates.push_back(std::move(*der));
            }
        }
        out.metadata_statement_json = it->dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (auto it = e.find("statusReports"); it != e.end()) {
        if (!it->is_array()) return bad(where + ".statusReports is not an array");
        for (const auto& r : *it) {
            const std::string* status = r.is_object() ? get_string(r, "status") : nullptr;
            if (status == nullptr) return bad(where + ".statusReports entry has no string status");
            MdsStatusReport rep{*status, {}};
            if (const std::string* d = get_string(r, "effectiveDate")) rep.effective_date = *d;
            out.status_reports.push_back(std::move(rep));
        }
    }
    if (const std::string* t = get_string(e, "timeOfLastStatusChange")) out.time_of_last_status_change = *t;
    if (!out.aaguid && out.attestation_certificate_key_identifiers.empty() && e.find("aaid") == e.end())
        return bad(where + " names no authenticator (aaguid, aaid or attestationCertificateKeyIdentifiers)");
    return out;
}

constexpr std::string_view kCompromise[] = {"REVOKED", "ATTESTATION_KEY_COMPROMISE", "USER_VERIFICATION_BYPASS",
                                            "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE"};

}  // namespace

bool MdsEntry::compromised() const noexcept { return !compromise_status().empty(); }

std::string MdsEntry::compromise_status() const {
    for (const auto& r : status_reports)
        for (std::string_view c : kCompromise)
            if (r.status == c) return r.status;
    return {};
}

const MdsEntry* MdsBlob::find_by_aaguid(ByteView aaguid) const noexcept {
    for (const auto& e : entries)
        if (e.aaguid && std::equal(e.aaguid->begin(), e.aaguid->end(), aaguid.begin(), aaguid.end())) return &e;
    return nullptr;
}

const MdsEntry* MdsBlob::find_by_key_identifier(std::string_view key_id) const noexcept {
    for (const auto& e : entries)
        for (const auto& k : e.attestation_certificate_key_identifiers)
            if (k == key_id) return &e;
    return nullptr;
}

Result<MdsBlob> parse_mds_blob(std::string_view jwt, std::string_view roots_pem,
                               std::optional<std::int64_t> verification_time) {
    auto roots = att::pem_certificates(roots_pem);
    if (!roots) return std::move(roots).error();
    // Surrounding whitespace (a trailing newline from a download) is not part of the JWT.
    while (!jwt.empty() && std::isspace(static_cast<unsigned char>(jwt.back())) != 0) jwt.remove_suffix(1);
    while (!jwt.empty() && std::isspace(static_cast<unsigned char>(jwt.front())) != 0) jwt.remove_prefix(1);
    auto jws = att::parse_jws(jwt, kMaxMdsBlobSize, Errc::mds_blob_invalid);
    if (!jws) return std::move(jws).error();
    if (jws->x5c.empty()) return bad("JWT header has no x5c");
    std::vector<ByteView> views(jws->x5c.begin(), jws->x5c.end());
    auto certs = att::parse_x5c(views);
    if (!certs) return Error(Errc::mds_blob_invalid, certs.error().detail);
    const std::time_t now = att::effective_time(verification_time);
    auto path = att::validate_path(*certs, *roots, now, false);
    if (!path) return Error(Errc::mds_untrusted, path.error().detail);
    if (!path->trusted) return Error(Errc::mds_untrusted, path->detail);
    MFA_TRY(att::verify_jws(*jws, X509_get0_pubkey((*certs)[0].get()), Errc::mds_blob_invalid, Errc::mds_signature_invalid));

    const json& p = jws->payload;
    MdsBlob blob;
    auto no = p.find("no");
    if (no == p.end() || !no->is_number_integer()) return bad("payload has no integer \"no\"");
    blob.no = no->get<std::int64_t>();
    const std::string* next = get_string(p, "nextUpdate");
    if (next == nullptr || !is_date(*next)) return bad("payload nextUpdate is not a YYYY-MM-DD date");
    blob.next_update = *next;
    if (const std::string* lh = get_string(p, "legalHeader")) blob.legal_header = *lh;
    auto entries = p.find("entries");
    if (entries == p.end() || !entries->is_array()) return bad("payload has no entries array");
    if (entries->size() > kMaxMdsEntries) return Error(Errc::limit_exceeded, "MDS BLOB has more than 100000 entries");
    for (std::size_t i = 0; i < entries->size(); ++i) {
        auto e = parse_entry((*entries)[i], i);
        if (!e) return std::move(e).error();
        blob.entries.push_back(std::move(*e));
    }
    if (blob.next_update < utc_date(now))
        return Error(Errc::mds_blob_expired, "nextUpdate " + blob.next_update + " is before " + utc_date(now));
    return blob;
}

}  // namespace mfa::webauthn
