#include "mfa/server/keyring.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "mfa/atomic_file.hpp"
#include "mfa/encoding.hpp"
#include "mfa/random.hpp"
#include "mfa/store.hpp"

namespace mfa::server {
namespace {

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

std::string aad(std::uint32_t id, std::string_view context) {
    return "mfa-field-v1\n" + std::to_string(id) + "\n" + std::string(context);
}

std::vector<std::string_view> split_ws(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

std::optional<std::uint32_t> parse_id(std::string_view s) {
    auto v = store::parse_i64(s);
    if (!v || *v < 1 || *v > 0xFFFFFFFF) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

}  // namespace

Result<KeyRing> KeyRing::generate() {
    KeyRing r;
    auto id = r.rotate();
    if (!id) return std::move(id).error();
    return r;
}

const KeyRing::Key* KeyRing::find(std::uint32_t id) const noexcept {
    for (const auto& k : keys_)
        if (k.info.id == id) return &k;
    return nullptr;
}

std::uint32_t KeyRing::current_id() const noexcept {
    std::uint32_t best = 0;
    for (const auto& k : keys_)
        if (!k.info.retired && k.info.id > best) best = k.info.id;
    return best;
}

std::vector<KeyInfo> KeyRing::keys() const {
    std::vector<KeyInfo> out;
    for (const auto& k : keys_) out.push_back(k.info);
    return out;
}

bool KeyRing::record_created(std::uint32_t id, std::int64_t created) {
    for (auto& k : keys_)
        if (k.info.id == id && k.info.created == 0) {
            k.info.created = created;
            return true;
        }
    return false;
}

Result<std::uint32_t> KeyRing::rotate(std::int64_t now) {
    if (now < 0)
        now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (keys_.size() >= kMaxKeys) return Error{Errc::limit_exceeded, "key ring holds at most 64 keys"};
    std::uint32_t next = 1;
    for (const auto& k : keys_) next = std::max(next, k.info.id + 1);
    if (next == 0) return Error{Errc::limit_exceeded, "key ids exhausted"};
    auto bytes = random_secret(kKeyBytes);
    if (!bytes) return std::move(bytes).error();
    keys_.push_back(Key{KeyInfo{next, false, 0, now}, std::move(*bytes)});
    return next;
}

Status KeyRing::retire(std::uint32_t id, std::int64_t retain_until) {
    if (id == current_id()) return {Errc::invalid_argument, "the current key cannot be retired: rotate first"};
    for (auto& k : keys_)
        if (k.info.id == id) {
            k.info.retired = true;
            k.info.retain_until = retain_until;
            return {};
        }
    return {Errc::not_found, "no key " + std::to_string(id)};
}

std::vector<std::uint32_t> KeyRing::prunable(std::int64_t now) const {
    std::vector<std::uint32_t> out;
    for (const auto& k : keys_)
        if (k.info.retired && now >= k.info.retain_until) out.push_back(k.info.id);
    return out;
}

Status KeyRing::remove(std::uint32_t id, std::int64_t now) {
    const auto p = prunable(now);
    if (std::find(p.begin(), p.end(), id) == p.end())
        return {Errc::invalid_argument, "key " + std::to_string(id) + " is not retired past its retention date"};
    keys_.erase(std::remove_if(keys_.begin(), keys_.end(), [&](const Key& k) { return k.info.id == id; }),
                keys_.end());
    return {};
}

Result<KeyRing> KeyRing::parse(std::string_view text) {
    if (text.size() > kMaxKeyRingText) return Error{Errc::limit_exceeded, "key ring file larger than 64 KiB"};
    KeyRing r;
    bool header = false;
    int version = 0;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto where = "line " + std::to_string(line_no);
        for (unsigned char c : line)
            if ((c < 0x20 && c != '\t') || c >= 0x7f) return Error{Errc::keyring_invalid, where + ": control or non-ASCII byte"};
        auto f = split_ws(line);
        if (f.empty() || f[0][0] == '#') continue;
        if (!header) {
            if (f.size() != 2 || f[0] != "mfa-keyring" || (f[1] != "1" && f[1] != "2"))
                return Error{Errc::keyring_invalid, where + ": expected the header 'mfa-keyring 2' (or 1)"};
            header = true;
            version = f[1] == "1" ? 1 : 2;
            continue;
        }
        if (f[0] != "key") return Error{Errc::keyring_invalid, where + ": expected 'key'"};
        KeyInfo info;
        std::string_view b64;
        auto id = f.size() >= 2 ? parse_id(f[1]) : std::nullopt;
        if (!id) return Error{Errc::keyring_invalid, where + ": bad key id"};
        info.id = *id;
        // Version 2 has the creation time after the state: one more field.
        const std::size_t extra = version == 2 ? 1 : 0;
        if (f.size() >= 3 && (f[2] == "active" || f[2] == "retired") && extra == 1 && f.size() >= 4) {
            auto created = store::parse_i64(f[3]);
            if (!created || *created < 0) return Error{Errc::keyring_invalid, where + ": bad creation time"};
            info.created = *created;
        }
        if (f.size() == 4 + extra && f[2] == "active") {
            b64 = f[3 + extra];
        } else if (f.size() == 5 + extra && f[2] == "retired") {
            auto until = store::parse_i64(f[3 + extra]);
            if (!until) return Error{Errc::keyring_invalid, where + ": bad retention date"};
            info.retired = true;
            info.retain_until = *until;
            b64 = f[4 + extra];
        } else if (version == 2) {
            return Error{Errc::keyring_invalid,
                         where + ": expected 'key <id> active <created> <key>' or 'key <id> retired <created> <until> <key>'"};
        } else {
            return Error{Errc::keyring_invalid, where + ": expected 'key <id> active <key>' or 'key <id> retired <until> <key>'"};
        }
        if (r.find(info.id) != nullptr) return Error{Errc::keyring_invalid, where + ": key id given twice"};
        if (r.keys_.size() >= kMaxKeys) return Error{Errc::limit_exceeded, "key ring holds at most 64 keys"};
        auto raw = base64_decode(b64, Base64Mode::url_strict);
        if (!raw || raw->size() != kKeyBytes) {
            if (raw) secure_wipe(raw->data(), raw->size());
            return Error{Errc::keyring_invalid, where + ": a key is 32 bytes in base64url without padding"};
        }
        r.keys_.push_back(Key{info, SecretBytes(*raw)});
        secure_wipe(raw->data(), raw->size());
    }
    if (!header) return Error{Errc::keyring_invalid, "missing the header 'mfa-keyring 2'"};
    if (r.current_id() == 0) return Error{Errc::keyring_invalid, "no active key"};
    return r;
}

SecretString KeyRing::format() const {
    SecretString s;
    s.append("mfa-keyring 2\n");
    for (const auto& k : keys_) {
        s.append("key " + std::to_string(k.info.id));
        const std::string created = " " + std::to_string(k.info.created);
        if (k.info.retired) s.append(" retired" + created + " " + std::to_string(k.info.retain_until));
        else s.append(" active" + created);
        std::string b = base64url_encode(k.bytes.view());
        s.append(" ");
        s.append(b);
        secure_wipe(b.data(), b.size());
        s.append("\n");
    }
    return s;
}

Result<KeyRing> KeyRing::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{Errc::io, "cannot read key ring '" + path + "'"};
    std::string text;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxKeyRingText) {
            secure_wipe(text.data(), text.size());
            return Error{Errc::limit_exceeded, "key ring file larger than 64 KiB"};
        }
    }
    auto r = parse(text);
    secure_wipe(text.data(), text.size());
    return r;
}

Status KeyRing::save(const std::string& path) const {
    const SecretString text = format();
    return write_file_atomic(path, as_bytes(text.view()));
}

Status KeyRing::save_new(const std::string& path) const {
    const SecretString text = format();
    AtomicWriteOptions o;
    o.refuse_existing = Errc::keyring_exists;
    return write_file_atomic(path, as_bytes(text.view()), o);
}

Result<std::string> KeyRing::encrypt(ByteView plaintext, std::string_view context) const {
    const std::uint32_t id = current_id();
    const Key* k = find(id);
    if (k == nullptr) return Error{Errc::invalid_argument, "the key ring is empty"};
    if (plaintext.size() > kMaxFieldPlaintext) return Error{Errc::limit_exceeded, "field larger than 64 KiB"};
    Bytes out(kNonce + plaintext.size() + kTag);
    MFA_TRY(random_fill({out.data(), kNonce}));
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    const std::string a = aad(id, context);
    int len = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k->bytes.data(), out.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()),
                          static_cast<int>(a.size())) != 1 ||
        (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), out.data() + kNonce, &len, plaintext.data(),
                                                 static_cast<int>(plaintext.size())) != 1) ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonce + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, out.data() + kNonce + plaintext.size()) != 1)
        return Error{Errc::crypto, "AES-256-GCM encryption"};
    return "v1." + std::to_string(id) + "." + base64url_encode(out);
}

Result<std::uint32_t> KeyRing::field_key_id(std::string_view field) {
    if (field.size() > kMaxEncryptedField) return Error{Errc::limit_exceeded, "encrypted field longer than 96 KiB"};
    if (field.rfind("v1.", 0) != 0) return Error{Errc::encrypted_field_format, "expected 'v1.<key id>.<data>'"};
    const auto dot = field.find('.', 3);
    if (dot == std::string_view::npos) return Error{Errc::encrypted_field_format, "missing '.' after the key id"};
    auto id = parse_id(field.substr(3, dot - 3));
    if (!id) return Error{Errc::encrypted_field_format, "bad key id"};
    return *id;
}

Result<SecretBytes> KeyRing::decrypt(std::string_view field, std::string_view context) const {
    auto id = field_key_id(field);
    if (!id) return std::move(id).error();
    const auto dot = field.find('.', 3);
    auto raw = base64_decode(field.substr(dot + 1), Base64Mode::url_strict);
    if (!raw) return Error{Errc::encrypted_field_format, "data is not base64url: " + raw.error().detail};
    if (raw->size() < kNonce + kTag) return Error{Errc::encrypted_field_format, "data shorter than nonce and tag"};
    const Key* k = find(*id);
    if (k == nullptr) return Error{Errc::key_unknown, "key " + std::to_string(*id) + " is not in the key ring"};
    const std::size_t n = raw->size() - kNonce - kTag;
    SecretBytes plain(n);
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    const std::string a = aad(*id, context);
    int len = 0;
    std::uint8_t tag[kTag];
    std::copy_n(raw->data() + kNonce + n, kTag, tag);
    // A NULL output pointer would turn the update into additional data: empty plaintexts write here.
    std::uint8_t none[1];
    std::uint8_t* outp = n != 0 ? plain.data() : none;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k->bytes.data(), raw->data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()),
                          static_cast<int>(a.size())) != 1 ||
        (n != 0 && EVP_DecryptUpdate(ctx.get(), outp, &len, raw->data() + kNonce, static_cast<int>(n)) != 1) ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag) != 1)
        return Error{Errc::crypto, "AES-256-GCM decryption"};
    if (EVP_DecryptFinal_ex(ctx.get(), outp + len, &len) != 1)
        return Error{Errc::decrypt_failed, "tag mismatch (wrong key, altered data, or another record's field)"};
    return plain;
}

}  // namespace mfa::server
