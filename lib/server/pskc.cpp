// PSKC import (pskc.hpp): libpskc for the container, libxml2 + OpenSSL for its encryption.
#include "mfa/server/pskc.hpp"

#include "mfa_features.h"

#if MFA_HAVE_PSKC

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pskc/pskc.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "mfa/ct.hpp"
#include "mfa/encoding.hpp"
#include "mfa/shared_library.hpp"

namespace mfa::server {
namespace {

constexpr const char* kNsPskc = "urn:ietf:params:xml:ns:keyprov:pskc";
constexpr const char* kNsDs = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* kNsXenc = "http://www.w3.org/2001/04/xmlenc#";
constexpr const char* kNsXenc11 = "http://www.w3.org/2009/xmlenc11#";
constexpr const char* kNsPkcs5 = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#";
constexpr std::string_view kPbkdf2 = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2";
constexpr std::string_view kHmacSha1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
constexpr std::string_view kHmacSha256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
constexpr std::size_t kIv = 16;
constexpr std::size_t kMaxValue = 4096;  // bytes of one decoded encrypted value

// libpskc and libxml2 are loaded on the first parse_pskc() instead of linked (mfa/shared_library.hpp
// says why: libpskc brings xmlsec1, libxslt and ICU, about 1.3 ms of every start of a process that
// links them): these are the functions this reader calls, taken from them once.
#define MFA_PSKC_FUNCTIONS(X)                                                                                   \
    X(pskc_done) X(pskc_get_device_manufacturer) X(pskc_get_device_model) X(pskc_get_device_serialno)           \
    X(pskc_get_key_algorithm) X(pskc_get_key_algparm_resp_encoding) X(pskc_get_key_algparm_resp_length)          \
    X(pskc_get_key_algparm_suite) X(pskc_get_key_data_counter) X(pskc_get_key_data_secret)                       \
    X(pskc_get_key_data_timeinterval) X(pskc_get_key_id) X(pskc_get_key_issuer) X(pskc_get_keypackage)           \
    X(pskc_global_init) X(pskc_init) X(pskc_parse_from_memory) X(pskc_strerror)
// xmlFree is not a function but a global variable of libxml2 (the deallocator it was set up with, a
// function pointer): its entry is the variable's address, called as (*xmlFree)(p). A libxml2 built
// with per-thread allocators makes it a macro instead, and &::xmlFree then does not compile.
#define MFA_XML_FUNCTIONS(X) \
    X(xmlDocGetRootElement) X(xmlFree) X(xmlFreeDoc) X(xmlGetProp) X(xmlNodeGetContent) X(xmlReadMemory)

struct LibXml {
    MFA_LIBRARY_POINTERS(MFA_XML_FUNCTIONS)
};
struct LibPskc : LibXml {
    MFA_LIBRARY_POINTERS(MFA_PSKC_FUNCTIONS)
};

// The sonames of the ABIs the headers describe (Debian's libpskc0 and libxml2).
constexpr const char* kLibPskc = "libpskc.so.0";
constexpr const char* kLibXml2 = "libxml2.so.2";

// libxml2 first: libpskc's own functions hand out its documents.
Result<LibPskc> load_pskc() {
    auto xml = SharedLibrary::load<LibXml>("PSKC", kLibXml2, [](const SharedLibrary& lib, LibXml& t) -> Status {
        MFA_LIBRARY_BIND(MFA_XML_FUNCTIONS, lib, t);
        return {};
    });
    if (!xml) return xml.error();
    LibPskc both;
    static_cast<LibXml&>(both) = *xml;
    return SharedLibrary::load<LibPskc>("PSKC", kLibPskc, [&both](const SharedLibrary& lib, LibPskc& t) -> Status {
        t = both;
        MFA_LIBRARY_BIND(MFA_PSKC_FUNCTIONS, lib, t);
        return {};
    });
}

// Loaded once per process; every later parse sees the same outcome.
const Result<LibPskc>& libpskc() {
    static const Result<LibPskc> loaded = load_pskc();
    return loaded;
}

// The table. Only called once parse_pskc() found the libraries loaded: every document comes from there.
const LibPskc& px() { return *libpskc(); }

Error invalid(std::string_view what) { return Error{Errc::pskc_invalid, std::string(what)}; }

struct DocFree {
    void operator()(xmlDoc* d) const noexcept { px().xmlFreeDoc(d); }
};
struct PskcFree {
    void operator()(pskc_t* c) const noexcept { px().pskc_done(c); }
};
struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

bool is(const xmlNode* n, const char* ns, const char* name) {
    return n != nullptr && n->type == XML_ELEMENT_NODE && n->name != nullptr &&
           std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0 &&
           (ns == nullptr || (n->ns != nullptr && n->ns->href != nullptr &&
                              std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns) == 0));
}

// The first child element with this name (ns nullptr: any namespace, for the unqualified children
// of pkcs5:PBKDF2-params, which RFC 6030 Figure 7 writes without one).
const xmlNode* child(const xmlNode* n, const char* ns, const char* name) {
    if (n == nullptr) return nullptr;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next)
        if (is(c, ns, name)) return c;
    return nullptr;
}

std::string text_of(const xmlNode* n) {
    if (n == nullptr) return {};
    xmlChar* t = px().xmlNodeGetContent(n);
    std::string out = t ? reinterpret_cast<const char*>(t) : "";
    (*px().xmlFree)(t);
    return out;
}

std::string attr(const xmlNode* n, const char* name) {
    xmlChar* v = px().xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    std::string out = v ? reinterpret_cast<const char*>(v) : "";
    (*px().xmlFree)(v);
    return out;
}

std::string trimmed(std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }),
            s.end());
    return s;
}

Result<Bytes> base64_of(const xmlNode* n, std::string_view what) {
    auto b = base64_decode(trimmed(text_of(n)), Base64Mode::standard);
    if (!b) return invalid(std::string(what) + " is not base64");
    return b;
}

// An xenc:EncryptionMethod + xenc:CipherData/CipherValue pair (EncryptedValue, MACKey).
struct Encrypted {
    std::string method;  // algorithm URI
    Bytes data;          // IV ‖ ciphertext
};
Result<Encrypted> read_encrypted(const xmlNode* n, std::string_view what) {
    Encrypted e;
    const xmlNode* m = child(n, kNsXenc, "EncryptionMethod");
    if (m == nullptr) return invalid(std::string(what) + ": no xenc:EncryptionMethod");
    e.method = attr(m, "Algorithm");
    const xmlNode* cv = child(child(n, kNsXenc, "CipherData"), kNsXenc, "CipherValue");
    if (cv == nullptr) return invalid(std::string(what) + ": no xenc:CipherData/CipherValue");
    auto d = base64_of(cv, std::string(what) + " CipherValue");
    if (!d) return std::move(d).error();
    if (d->size() > kMaxValue) return Error{Errc::limit_exceeded, std::string(what) + " larger than 4 KiB"};
    e.data = std::move(*d);
    return e;
}

// AES-CBC with the IV first and PKCS#7 padding (RFC 6030 §6.1). The algorithm names the key length,
// which must be the key's.
Result<SecretBytes> aes_cbc_decrypt(const Encrypted& e, const SecretBytes& key, std::string_view what) {
    const EVP_CIPHER* c = nullptr;
    std::size_t need = 0;
    if (e.method == std::string(kNsXenc) + "aes128-cbc") c = EVP_aes_128_cbc(), need = 16;
    else if (e.method == std::string(kNsXenc) + "aes192-cbc") c = EVP_aes_192_cbc(), need = 24;
    else if (e.method == std::string(kNsXenc) + "aes256-cbc") c = EVP_aes_256_cbc(), need = 32;
    else return Error{Errc::pskc_algorithm, std::string(what) + ": encryption algorithm '" + e.method.substr(0, 100) + "' (AES-CBC only)"};
    if (key.size() != need)
        return Error{Errc::pskc_decrypt, std::string(what) + ": the key is " + std::to_string(key.size()) + " bytes, the algorithm takes " +
                                             std::to_string(need)};
    if (e.data.size() < 2 * kIv || e.data.size() % kIv != 0)
        return Error{Errc::pskc_decrypt, std::string(what) + ": not an IV and whole AES blocks"};
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    SecretBytes out(e.data.size());
    int n1 = 0, n2 = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), c, nullptr, key.data(), e.data.data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out.data(), &n1, e.data.data() + kIv, static_cast<int>(e.data.size() - kIv)) != 1)
        return Error{Errc::crypto, "AES-CBC decryption"};
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + n1, &n2) != 1)
        return Error{Errc::pskc_decrypt, std::string(what) + ": bad padding (wrong key or passphrase)"};
    out.resize(static_cast<std::size_t>(n1 + n2));
    return out;
}

Result<SecretBytes> derive_key(const xmlNode* derived, const PskcDecryption& keys) {
    const xmlNode* method = child(derived, kNsXenc11, "KeyDerivationMethod");
    if (method == nullptr) return invalid("EncryptionKey: xenc11:DerivedKey without KeyDerivationMethod");
    if (attr(method, "Algorithm") != kPbkdf2)
        return Error{Errc::pskc_algorithm, "key derivation '" + attr(method, "Algorithm").substr(0, 100) + "' (PBKDF2 only)"};
    const xmlNode* p = child(method, kNsPkcs5, "PBKDF2-params");
    if (p == nullptr) return invalid("EncryptionKey: no pkcs5:PBKDF2-params");
    const xmlNode* salt = child(child(p, nullptr, "Salt"), nullptr, "Specified");
    if (salt == nullptr) return invalid("PBKDF2-params: no Salt/Specified");
    auto s = base64_of(salt, "PBKDF2 salt");
    if (!s) return std::move(s).error();
    auto num = [&](const char* name) -> std::optional<std::uint64_t> {
        const std::string t = trimmed(text_of(child(p, nullptr, name)));
        if (t.empty() || t.size() > 9 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        return std::stoull(t);
    };
    const auto iterations = num("IterationCount");
    const auto length = num("KeyLength");
    if (!iterations || *iterations < 1) return invalid("PBKDF2-params: IterationCount");
    if (*iterations > kMaxPskcPbkdf2Iterations) return Error{Errc::limit_exceeded, "PBKDF2 IterationCount above 10,000,000"};
    if (!length || (*length != 16 && *length != 24 && *length != 32)) return invalid("PBKDF2-params: KeyLength must be 16, 24 or 32");
    const EVP_MD* md = EVP_sha1();
    if (const xmlNode* prf = child(p, nullptr, "PRF"); prf != nullptr) {
        const std::string a = attr(prf, "Algorithm");
        if (a.empty() || a == kHmacSha1 || a == "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#hmac-sha1") md = EVP_sha1();
        else if (a == kHmacSha256) md = EVP_sha256();
        else return Error{Errc::pskc_algorithm, "PBKDF2 PRF '" + a.substr(0, 100) + "'"};
    }
    if (!keys.passphrase) return invalid("the container's key is derived from a passphrase: give one");
    SecretBytes key(static_cast<std::size_t>(*length));
    const auto pw = keys.passphrase->view();
    if (PKCS5_PBKDF2_HMAC(pw.data(), static_cast<int>(pw.size()), s->data(), static_cast<int>(s->size()),
                          static_cast<int>(*iterations), md, static_cast<int>(key.size()), key.data()) != 1)
        return Error{Errc::crypto, "PBKDF2"};
    return key;
}

// The container's encryption: its key (pre-shared or derived) and, decrypted with it, the MAC key.
struct Protection {
    SecretBytes key;
    SecretBytes mac_key;
    const EVP_MD* mac = nullptr;
};
Result<std::optional<Protection>> read_protection(const xmlNode* root, const PskcDecryption& keys) {
    const xmlNode* ek = child(root, kNsPskc, "EncryptionKey");
    if (ek == nullptr) return std::optional<Protection>{};
    Protection p;
    if (const xmlNode* derived = child(ek, kNsXenc11, "DerivedKey"); derived != nullptr) {
        auto k = derive_key(derived, keys);
        if (!k) return std::move(k).error();
        p.key = std::move(*k);
    } else if (child(ek, kNsDs, "KeyName") != nullptr) {
        if (!keys.key) return invalid("the container is encrypted with a pre-shared key ('" +
                                      trimmed(text_of(child(ek, kNsDs, "KeyName"))).substr(0, 64) + "'): give it");
        p.key = keys.key->clone();
    } else {
        return Error{Errc::pskc_algorithm, "EncryptionKey: only ds:KeyName (pre-shared key) and xenc11:DerivedKey (PBKDF2)"};
    }
    if (child(root, kNsPskc, "MACAlgorithm") != nullptr)
        return Error{Errc::pskc_algorithm, "MACAlgorithm is the pre-RFC draft form: RFC 6030 uses MACMethod"};
    const xmlNode* mm = child(root, kNsPskc, "MACMethod");
    if (mm == nullptr) return invalid("an encrypted container without MACMethod (RFC 6030 §6.1.1: the MAC is required)");
    const std::string alg = attr(mm, "Algorithm");
    if (alg == kHmacSha1) p.mac = EVP_sha1();
    else if (alg == kHmacSha256) p.mac = EVP_sha256();
    else return Error{Errc::pskc_algorithm, "MACMethod '" + alg.substr(0, 100) + "' (HMAC-SHA1 or HMAC-SHA256)"};
    const xmlNode* mk = child(mm, kNsPskc, "MACKey");
    if (mk == nullptr) return invalid("MACMethod without MACKey");
    auto enc = read_encrypted(mk, "MACKey");
    if (!enc) return std::move(enc).error();
    auto mac_key = aes_cbc_decrypt(*enc, p.key, "MACKey");
    if (!mac_key) return std::move(mac_key).error();
    p.mac_key = std::move(*mac_key);
    return std::optional<Protection>{std::move(p)};
}

// A key package's Secret: EncryptedValue with its ValueMAC, checked then decrypted.
Result<SecretBytes> decrypt_secret(const xmlNode* secret, const Protection& p, const std::string& where) {
    auto enc = read_encrypted(child(secret, kNsPskc, "EncryptedValue"), where + " EncryptedValue");
    if (!enc) return std::move(enc).error();
    const xmlNode* vm = child(secret, kNsPskc, "ValueMAC");
    if (vm == nullptr) return Error{Errc::pskc_mac, where + ": an encrypted secret without ValueMAC"};
    auto expected = base64_of(vm, where + " ValueMAC");
    if (!expected) return std::move(expected).error();
    std::uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (HMAC(p.mac, p.mac_key.data(), static_cast<int>(p.mac_key.size()), enc->data.data(), enc->data.size(), mac, &len) == nullptr)
        return Error{Errc::crypto, "HMAC"};
    if (!ct_equal(ByteView(mac, len), *expected)) return Error{Errc::pskc_mac, where + ": ValueMAC does not verify"};
    return aes_cbc_decrypt(*enc, p.key, where + " EncryptedValue");
}

Result<HashAlg> suite_hash(std::string suite, const std::string& where) {
    std::transform(suite.begin(), suite.end(), suite.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (suite.empty() || suite == "HMAC-SHA1" || suite == "SHA1" || suite == "SHA-1") return HashAlg::sha1;
    if (suite == "HMAC-SHA256" || suite == "SHA256" || suite == "SHA-256") return HashAlg::sha256;
    if (suite == "HMAC-SHA512" || suite == "SHA512" || suite == "SHA-512") return HashAlg::sha512;
    return Error{Errc::pskc_algorithm, where + ": Suite '" + suite.substr(0, 64) + "' (HMAC-SHA1, -SHA256, -SHA512)"};
}

Result<OtpType> otp_type(const std::string& alg, const std::string& where) {
    // RFC 6030 §10 registers hotp; totp is the URN of draft-hoyer-keyprov-pskc-algorithm-profiles
    // that vendors use; '#' for ':' is an older spelling still shipped.
    for (const char* sep : {":", "#"}) {
        const std::string base = std::string("urn:ietf:params:xml:ns:keyprov:pskc") + sep;
        if (alg == base + "hotp") return OtpType::hotp;
        if (alg == base + "totp") return OtpType::totp;
    }
    return Error{Errc::pskc_algorithm, where + ": algorithm '" + alg.substr(0, 100) + "' (HOTP and TOTP only)"};
}

std::string str(const char* s) { return s ? s : ""; }

// RFC 6030's schema lets only these PSKC elements repeat among their siblings.
bool may_repeat(const xmlNode* n) {
    return is(n, kNsPskc, "KeyPackage") || is(n, kNsPskc, "Extensions") || is(n, kNsPskc, "KeyUsage");
}

// Refuses a PSKC element that appears twice where the schema allows it once: with two Secrets (or
// Counters, or Keys) the key imported would depend on the reader (libpskc keeps the last, and
// leaks the first). `where` names `parent` as the errors do ("KeyPackage 2", "KeyPackage 2: Key").
Status refuse_repeats(const xmlNode* parent, const std::string& where, bool is_root) {
    std::unordered_set<std::string_view> seen;
    std::size_t package = 0;
    for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
        if (!is(c, kNsPskc, reinterpret_cast<const char*>(c->name))) continue;
        const std::string_view name = reinterpret_cast<const char*>(c->name);
        if (!may_repeat(c) && !seen.insert(name).second)
            return invalid(where + ": " + std::string(name) + " repeated (line " + std::to_string(c->line) + ")");
        std::string inner;
        if (is_root && is(c, kNsPskc, "KeyPackage"))
            inner = "KeyPackage " + std::to_string(++package);
        else
            inner = where + (where.find(':') == std::string::npos ? ": " : "/") + std::string(name);
        if (auto s = refuse_repeats(c, inner, false); !s) return s;
    }
    return {};
}

std::once_flag g_pskc_once;

}  // namespace

Result<std::vector<PskcKey>> parse_pskc(std::string_view xml, const PskcDecryption& keys) {
    if (xml.size() > kMaxPskcBytes) return Error{Errc::limit_exceeded, "PSKC file larger than 16 MiB"};
    if (const auto& lib = libpskc(); !lib) return lib.error();
    // No network, no entity substitution; a DTD is refused outright below (libpskc parses the same
    // bytes, and nothing in PSKC needs one).
    std::unique_ptr<xmlDoc, DocFree> doc(px().xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "pskc.xml", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) return invalid("not well-formed XML");
    if (doc->intSubset != nullptr || doc->extSubset != nullptr) return invalid("a DTD (refused: no entities in a key file)");
    const xmlNode* root = px().xmlDocGetRootElement(doc.get());
    if (!is(root, kNsPskc, "KeyContainer")) return invalid("the root is not an RFC 6030 KeyContainer");
    if (attr(root, "Version") != "1.0") return invalid("KeyContainer Version must be 1.0");
    if (auto once = refuse_repeats(root, "KeyContainer", true); !once) return once.error();
    auto protection = read_protection(root, keys);
    if (!protection) return std::move(protection).error();

    std::call_once(g_pskc_once, [] { px().pskc_global_init(); });
    pskc_t* raw = nullptr;
    if (px().pskc_init(&raw) != PSKC_OK) return Error{Errc::no_memory, "libpskc"};
    std::unique_ptr<pskc_t, PskcFree> container(raw);
    const int rc = px().pskc_parse_from_memory(raw, xml.size(), xml.data());
    // libpskc does not know the encryption elements and reports a parse error for them while
    // still reading everything else; any other container must parse cleanly.
    if (rc != PSKC_OK && !(rc == PSKC_PARSE_ERROR && protection->has_value()))
        return invalid(std::string("libpskc: ") + px().pskc_strerror(rc));

    std::vector<const xmlNode*> packages;
    for (const xmlNode* c = root->children; c != nullptr; c = c->next)
        if (is(c, kNsPskc, "KeyPackage")) packages.push_back(c);
    if (packages.empty()) return invalid("no KeyPackage");
    if (packages.size() > kMaxPskcKeys) return Error{Errc::limit_exceeded, "more than 10000 key packages"};

    std::vector<PskcKey> out;
    for (std::size_t i = 0; i < packages.size(); ++i) {
        const std::string where = "KeyPackage " + std::to_string(i + 1);
        pskc_key_t* kp = px().pskc_get_keypackage(raw, i);
        const xmlNode* key = child(packages[i], kNsPskc, "Key");
        if (kp == nullptr || key == nullptr) return invalid(where + ": no Key");
        PskcKey k;
        k.key_id = str(px().pskc_get_key_id(kp));
        // The two readers walk one document: make sure they stand on the same key.
        if (k.key_id != attr(key, "Id")) return invalid(where + ": Key Id differs between readers");
        k.serial = str(px().pskc_get_device_serialno(kp));
        if (k.serial.empty()) k.serial = k.key_id;
        if (k.serial.empty()) return invalid(where + ": neither DeviceInfo/SerialNo nor a Key Id");
        if (k.serial.size() > 128) return invalid(where + ": serial number longer than 128 bytes");
        k.manufacturer = str(px().pskc_get_device_manufacturer(kp));
        k.model = str(px().pskc_get_device_model(kp));
        k.issuer = str(px().pskc_get_key_issuer(kp));
        auto type = otp_type(str(px().pskc_get_key_algorithm(kp)), where);
        if (!type) return std::move(type).error();
        k.type = *type;
        auto hash = suite_hash(str(px().pskc_get_key_algparm_suite(kp)), where);
        if (!hash) return std::move(hash).error();
        k.algorithm = *hash;
        int present = 0;
        const auto encoding = px().pskc_get_key_algparm_resp_encoding(kp, &present);
        if (present && encoding != PSKC_VALUEFORMAT_DECIMAL)
            return Error{Errc::pskc_algorithm, where + ": ResponseFormat Encoding must be DECIMAL"};
        const std::uint32_t digits = px().pskc_get_key_algparm_resp_length(kp, &present);
        if (present) {
            if (digits < kMinDigits || digits > kMaxDigits) return Error{Errc::pskc_algorithm, where + ": ResponseFormat Length " + std::to_string(digits)};
            k.digits = digits;
        }
        const std::uint64_t counter = px().pskc_get_key_data_counter(kp, &present);
        if (present) k.counter = counter;
        const std::uint32_t interval = px().pskc_get_key_data_timeinterval(kp, &present);
        if (present) {
            if (interval < 1 || interval > kMaxPeriod) return Error{Errc::pskc_algorithm, where + ": TimeInterval " + std::to_string(interval)};
            k.period = interval;
        }
        const xmlNode* secret = child(child(key, kNsPskc, "Data"), kNsPskc, "Secret");
        if (secret == nullptr) return invalid(where + ": no Data/Secret");
        if (child(secret, kNsPskc, "EncryptedValue") != nullptr) {
            if (!protection->has_value()) return invalid(where + ": an EncryptedValue in a container without EncryptionKey");
            auto s = decrypt_secret(secret, **protection, where);
            if (!s) return std::move(s).error();
            k.secret = std::move(*s);
        } else {
            std::size_t len = 0;
            const char* s = px().pskc_get_key_data_secret(kp, &len);
            if (s == nullptr || len == 0) return invalid(where + ": no secret (PlainValue or EncryptedValue)");
            k.secret = SecretBytes(ByteView(reinterpret_cast<const std::uint8_t*>(s), len));
        }
        if (k.secret.size() < kMinSecretBytes || k.secret.size() > kMaxSecretBytes)
            return invalid(where + ": a secret of " + std::to_string(k.secret.size()) + " bytes");
        out.push_back(std::move(k));
    }
    return out;
}

}  // namespace mfa::server

#else  // !MFA_HAVE_PSKC

namespace mfa::server {
Result<std::vector<PskcKey>> parse_pskc(std::string_view, const PskcDecryption&) {
    return Error{Errc::unsupported, "built without PSKC support (libpskc, Meson option pskc)"};
}
}  // namespace mfa::server

#endif
