// TrustAnchors: the roots a relying party configures per attestation format, and the MDS3 BLOB.
#include <fstream>
#include <iterator>
#include <system_error>

#include "mfa/webauthn/attestation.hpp"
#include "x509.hpp"

namespace mfa::webauthn {
namespace {

// PEM files and MDS BLOBs are read whole, within these limits.
constexpr std::uintmax_t kMaxPemFile = 1u << 20;

std::string normalize_fmt(std::string_view fmt) { return fmt == "*" ? std::string() : std::string(fmt); }

Result<std::string> read_file(const std::filesystem::path& file, std::uintmax_t limit) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return Error(Errc::io, file.string() + ": " + ec.message());
    if (size > limit) return Error(Errc::limit_exceeded, file.string() + ": larger than " + std::to_string(limit) + " bytes");
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error(Errc::io, file.string() + ": cannot open");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Error(Errc::io, file.string() + ": read failed");
    return text;
}

bool is_pem_name(const std::filesystem::path& p) {
    const auto ext = p.extension().string();
    return ext == ".pem" || ext == ".crt";
}

}  // namespace

Status TrustAnchors::add_der(std::string_view fmt, ByteView der) {
    auto cert = att::parse_certificate(der, "trust anchor");
    if (!cert) return Error(Errc::invalid_argument, cert.error().detail);
    if (roots_.size() >= kMaxRoots) return Error(Errc::limit_exceeded, "more than 4096 trust anchors");
    roots_.push_back(Root{normalize_fmt(fmt), Bytes(der.begin(), der.end())});
    return {};
}

Status TrustAnchors::add_pem(std::string_view fmt, std::string_view pem) {
    auto ders = att::pem_certificates(pem);
    if (!ders) return std::move(ders).error();
    if (roots_.size() + ders->size() > kMaxRoots) return Error(Errc::limit_exceeded, "more than 4096 trust anchors");
    for (auto& d : *ders) roots_.push_back(Root{normalize_fmt(fmt), std::move(d)});
    return {};
}

Status TrustAnchors::add_pem_file(std::string_view fmt, const std::filesystem::path& file) {
    auto text = read_file(file, kMaxPemFile);
    if (!text) return std::move(text).error();
    auto st = add_pem(fmt, *text);
    if (!st) return Error(st.code(), file.string() + ": " + st.error().detail);
    return {};
}

Status TrustAnchors::add_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec), end;
    if (ec) return Error(Errc::io, dir.string() + ": " + ec.message());
    // Collect first so a bad file leaves the anchors unchanged.
    TrustAnchors staged = *this;
    for (; it != end; it.increment(ec)) {
        if (ec) return Error(Errc::io, dir.string() + ": " + ec.message());
        const auto& entry = *it;
        if (entry.is_regular_file() && is_pem_name(entry.path())) {
            MFA_TRY(staged.add_pem_file("", entry.path()));
        } else if (entry.is_directory()) {
            const std::string fmt = entry.path().filename().string();
            std::filesystem::directory_iterator sub(entry.path(), ec);
            if (ec) return Error(Errc::io, entry.path().string() + ": " + ec.message());
            for (; sub != end; sub.increment(ec)) {
                if (ec) return Error(Errc::io, entry.path().string() + ": " + ec.message());
                if (sub->is_regular_file() && is_pem_name(sub->path())) MFA_TRY(staged.add_pem_file(fmt, sub->path()));
            }
        }
    }
    *this = std::move(staged);
    return {};
}

Status TrustAnchors::load_mds_blob(std::string_view jwt, std::string_view mds_root_pem,
                                   std::optional<std::int64_t> verification_time) {
    auto blob = parse_mds_blob(jwt, mds_root_pem, verification_time);
    if (!blob) return std::move(blob).error();
    mds_ = std::make_shared<const MdsBlob>(std::move(*blob));
    return {};
}

Status TrustAnchors::load_mds_blob_file(const std::filesystem::path& file, std::string_view mds_root_pem,
                                        std::optional<std::int64_t> verification_time) {
    auto text = read_file(file, kMaxMdsBlobSize);
    if (!text) return std::move(text).error();
    return load_mds_blob(*text, mds_root_pem, verification_time);
}

std::vector<Bytes> TrustAnchors::roots_for(std::string_view fmt) const {
    std::vector<Bytes> out;
    for (const auto& r : roots_)
        if (r.fmt.empty() || r.fmt == fmt) out.push_back(r.der);
    return out;
}

}  // namespace mfa::webauthn
