#include "state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mfa/atomic_file.hpp"
#include "mfa/cbor.hpp"

namespace mfa::softtoken {
namespace {

constexpr std::uint64_t kVersion = 1;

Error invalid(std::string_view what) { return Error(Errc::softtoken_state_invalid, std::string(what)); }

cbor::Value text(std::string_view s) { return cbor::Value(s); }
cbor::Value bytes(ByteView b) { return cbor::Value(b); }

Result<ByteView> want_bytes(const cbor::Value& m, int key, std::string_view what, std::size_t exact = 0) {
    auto b = m.get_bytes(key);
    if (!b) return invalid(std::string(what) + ": " + b.error().to_string());
    if (exact != 0 && b->size() != exact)
        return invalid(std::string(what) + ": must be " + std::to_string(exact) + " bytes");
    return *b;
}

Result<std::uint64_t> want_uint(const cbor::Value& m, int key, std::string_view what, std::uint64_t max) {
    auto v = m.get_uint(key);
    if (!v) return invalid(std::string(what) + ": " + v.error().to_string());
    if (*v > max) return invalid(std::string(what) + ": out of range");
    return *v;
}

Result<std::string> want_text(const cbor::Value& m, int key, std::string_view what) {
    auto v = m.get_text(key);
    if (!v) return invalid(std::string(what) + ": " + v.error().to_string());
    return std::string(*v);
}

Status sys_error(std::string_view step, const std::filesystem::path& p) {
    return Status(Errc::io, std::string(step) + " " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

Result<Bytes> encode_state(const State& s) {
    cbor::Array creds;
    for (const auto& c : s.credentials) {
        creds.emplace_back(cbor::Map{
            {1, bytes(c.credential_id)}, {2, text(c.rp_id)},      {3, text(c.rp_name)}, {4, bytes(c.user_id)},
            {5, text(c.user_name)},      {6, text(c.display_name)}, {7, c.serial},
        });
    }
    cbor::Map m{
        {1, kVersion},
        {2, bytes(s.aaguid)},
        {3, bytes(s.wrap_key.view())},
        {4, bytes(s.attestation_key.view())},
        {5, bytes(s.attestation_cert)},
        {7, s.pin_retries},
        {8, s.counter},
        {9, std::move(creds)},
        {10, s.uv_retries},
        {11, s.min_pin_length},
        {12, s.next_serial},
    };
    if (!s.pin_hash.empty()) m.push_back({6, bytes(s.pin_hash.view())});
    return cbor::encode(cbor::Value(std::move(m)));
}

Result<State> decode_state(ByteView file) {
    if (file.size() > kMaxStateFile) return invalid("file larger than 256 KiB");
    auto root = cbor::decode(file);
    if (!root) return invalid("not canonical CBOR: " + root.error().to_string());
    if (!root->is_map()) return invalid("top level is not a map");
    for (const auto& e : root->map_entries()) {
        auto k = e.key.as_uint("key");
        if (!k || *k < 1 || *k > 12) return invalid("unknown top-level key");
    }
    auto version = want_uint(*root, 1, "version", UINT64_MAX);
    if (!version) return std::move(version).error();
    if (*version != kVersion) return invalid("version " + std::to_string(*version) + " is not supported");

    State s;
    auto aaguid = want_bytes(*root, 2, "aaguid", 16);
    if (!aaguid) return std::move(aaguid).error();
    std::copy(aaguid->begin(), aaguid->end(), s.aaguid.begin());
    auto wrap = want_bytes(*root, 3, "wrap key", 32);
    if (!wrap) return std::move(wrap).error();
    s.wrap_key = SecretBytes(*wrap);
    auto att = want_bytes(*root, 4, "attestation key", 32);
    if (!att) return std::move(att).error();
    s.attestation_key = SecretBytes(*att);
    auto cert = want_bytes(*root, 5, "attestation certificate");
    if (!cert) return std::move(cert).error();
    s.attestation_cert.assign(cert->begin(), cert->end());
    if (root->contains(6)) {
        auto ph = want_bytes(*root, 6, "PIN hash", 16);
        if (!ph) return std::move(ph).error();
        s.pin_hash = SecretBytes(*ph);
    }
    auto retries = want_uint(*root, 7, "PIN retries", 255);
    auto counter = want_uint(*root, 8, "counter", UINT32_MAX);
    auto uvr = want_uint(*root, 10, "UV retries", 255);
    auto minlen = want_uint(*root, 11, "minimum PIN length", 63);
    auto serial = want_uint(*root, 12, "next serial", UINT64_MAX);
    for (auto* r : {&retries, &counter, &uvr, &minlen, &serial})
        if (!*r) return std::move(*r).error();
    s.pin_retries = static_cast<std::uint8_t>(*retries);
    s.counter = static_cast<std::uint32_t>(*counter);
    s.uv_retries = static_cast<std::uint8_t>(*uvr);
    s.min_pin_length = static_cast<std::uint8_t>(std::max<std::uint64_t>(*minlen, 4));
    s.next_serial = *serial;

    auto creds = root->get_array(9);
    if (!creds) return invalid("credentials: " + creds.error().to_string());
    if ((*creds)->size() > 64) return invalid("credentials: more than 64");
    for (std::size_t i = 0; i < (*creds)->size(); ++i) {
        const cbor::Value& c = (**creds)[i];
        const std::string where = "credential " + std::to_string(i);
        if (!c.is_map() || c.size() != 7) return invalid(where + ": not a map of 7 entries");
        ResidentCredential rc;
        auto id = want_bytes(c, 1, where + " id");
        auto uid = want_bytes(c, 4, where + " user id");
        auto rp = want_text(c, 2, where + " rp id");
        auto rpn = want_text(c, 3, where + " rp name");
        auto un = want_text(c, 5, where + " user name");
        auto dn = want_text(c, 6, where + " display name");
        auto ser = want_uint(c, 7, where + " serial", UINT64_MAX);
        if (!id) return std::move(id).error();
        if (!uid) return std::move(uid).error();
        for (auto* t : {&rp, &rpn, &un, &dn})
            if (!*t) return std::move(*t).error();
        if (!ser) return std::move(ser).error();
        if (id->empty() || id->size() > 1023 || uid->empty() || uid->size() > 64)
            return invalid(where + ": credential or user id length");
        rc.credential_id.assign(id->begin(), id->end());
        rc.user_id.assign(uid->begin(), uid->end());
        rc.rp_id = std::move(*rp);
        rc.rp_name = std::move(*rpn);
        rc.user_name = std::move(*un);
        rc.display_name = std::move(*dn);
        rc.serial = *ser;
        s.credentials.push_back(std::move(rc));
    }
    return s;
}

Result<State> load_state(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sys_error("cannot open", path).error();
    Bytes data;
    std::uint8_t buf[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            return sys_error("cannot read", path).error();
        }
        if (n == 0) break;
        data.insert(data.end(), buf, buf + n);
        if (data.size() > kMaxStateFile) {
            ::close(fd);
            return invalid("file larger than 256 KiB");
        }
    }
    ::close(fd);
    auto st = decode_state(data);
    secure_wipe(data.data(), data.size());
    return st;
}

Status save_state(const std::filesystem::path& path, const State& s) {
    auto data = encode_state(s);
    if (!data) return std::move(data).error();
    Status st = write_file_atomic(path, *data);
    secure_wipe(data->data(), data->size());   // the state holds the token's private keys
    return st;
}

}  // namespace mfa::softtoken
