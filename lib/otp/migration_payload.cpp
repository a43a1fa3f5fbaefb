// The protobuf payload of otpauth-migration://offline (reverse-engineered MigrationPayload schema,
// reference otp.md §3). Parsed by hand over a bounded Reader: wire types 0 and 2 for the known
// fields, unknown fields of wire types 0, 1, 2 and 5 skipped, groups and truncation rejected, a
// known field twice rejected.
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "mfa/otpauth.hpp"
#include "mfa/reader.hpp"
#include "migration_internal.hpp"
#include "text.hpp"

namespace mfa {

using namespace otpauth_detail;

namespace {

constexpr std::uint32_t kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5;

// The payload's enums.
enum : std::uint64_t { kAlgUnspecified = 0, kAlgSha1 = 1, kAlgSha256 = 2, kAlgSha512 = 3, kAlgMd5 = 4 };
enum : std::uint64_t { kDigitsUnspecified = 0, kDigitsSix = 1, kDigitsEight = 2 };
enum : std::uint64_t { kTypeUnspecified = 0, kTypeHotp = 1, kTypeTotp = 2 };

struct Field {
    std::uint64_t number = 0;
    std::uint32_t wire = 0;
    std::size_t offset = 0;   // of the key, in the whole payload
    std::uint64_t value = 0;  // wire type 0
    ByteView bytes;           // wire type 2
};

std::string off(std::size_t o) { return " at offset " + std::to_string(o); }

// Reads the next field of r (whose first byte is at `base` in the payload); false at the end.
Result<bool> next_field(Reader& r, std::size_t base, Field& f) {
    if (r.empty()) return false;
    f.offset = base + r.position();
    std::uint64_t key = 0;
    if (!r.get_varint(key)) return Error(Errc::migration_invalid, "truncated or overlong field key" + off(f.offset));
    f.number = key >> 3;
    f.wire = static_cast<std::uint32_t>(key & 7);
    if (f.number == 0 || f.number > 0x1FFFFFFF)
        return Error(Errc::migration_invalid, "field number " + std::to_string(f.number) + off(f.offset));
    switch (f.wire) {
        case kVarint:
            if (!r.get_varint(f.value))
                return Error(Errc::migration_invalid, "truncated or overlong varint in field " +
                                                          std::to_string(f.number) + off(f.offset));
            return true;
        case kLen: {
            std::uint64_t len = 0;
            if (!r.get_varint(len) || len > r.remaining() || !r.get_bytes(static_cast<std::size_t>(len), f.bytes))
                return Error(Errc::migration_invalid, "truncated length-delimited field " +
                                                          std::to_string(f.number) + off(f.offset));
            return true;
        }
        case kFixed64:
        case kFixed32:
            if (!r.skip(f.wire == kFixed64 ? 8 : 4))
                return Error(Errc::migration_invalid, "truncated fixed-size field " + std::to_string(f.number) +
                                                          off(f.offset));
            return true;
        case 3:
        case 4:
            return Error(Errc::migration_invalid, "group (wire type " + std::to_string(f.wire) + ") in field " +
                                                      std::to_string(f.number) + off(f.offset));
        default:
            return Error(Errc::migration_invalid, "wire type " + std::to_string(f.wire) + off(f.offset));
    }
}

// A known field: the expected wire type, and only once.
Status expect(const Field& f, std::uint32_t wire, std::string_view name, std::uint32_t& seen) {
    if (f.wire != wire)
        return Error(Errc::migration_invalid, "field " + std::string(name) + " has wire type " +
                                                  std::to_string(f.wire) + ", expected " + std::to_string(wire) +
                                                  off(f.offset));
    const std::uint32_t bit = 1u << f.number;
    if (seen & bit) return Error(Errc::migration_invalid, "field " + std::string(name) + " twice" + off(f.offset));
    seen |= bit;
    return {};
}

// int32 on the wire: non-negative values as themselves, negative ones sign-extended to 10 bytes.
Result<std::int32_t> as_int32(const Field& f, std::string_view name) {
    if (f.value <= 0x7FFFFFFFu) return static_cast<std::int32_t>(f.value);
    if (f.value >= 0xFFFFFFFF80000000u) return static_cast<std::int32_t>(static_cast<std::int64_t>(f.value));
    return Error(Errc::migration_invalid, std::string(name) + " " + std::to_string(f.value) +
                                              " is outside int32" + off(f.offset));
}

std::string_view as_text(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

Result<Account> parse_account(ByteView msg, std::size_t base, std::size_t index, const MigrationParseOptions& opts) {
    const std::string who = "account " + std::to_string(index);
    Reader r(msg);
    Field f;
    std::uint32_t seen = 0;
    std::optional<ByteView> secret;
    std::string_view name, issuer_field;
    std::uint64_t alg = kAlgUnspecified, digits = kDigitsUnspecified, type = kTypeUnspecified, counter = 0;
    for (;;) {
        auto more = next_field(r, base, f);
        if (!more) return Error(more.error().code, who + ": " + more.error().detail);
        if (!*more) break;
        switch (f.number) {
            case 1: MFA_TRY(expect(f, kLen, who + " secret", seen)); secret = f.bytes; break;
            case 2: MFA_TRY(expect(f, kLen, who + " name", seen)); name = as_text(f.bytes); break;
            case 3: MFA_TRY(expect(f, kLen, who + " issuer", seen)); issuer_field = as_text(f.bytes); break;
            case 4: MFA_TRY(expect(f, kVarint, who + " algorithm", seen)); alg = f.value; break;
            case 5: MFA_TRY(expect(f, kVarint, who + " digits", seen)); digits = f.value; break;
            case 6: MFA_TRY(expect(f, kVarint, who + " type", seen)); type = f.value; break;
            case 7: MFA_TRY(expect(f, kVarint, who + " counter", seen)); counter = f.value; break;
            default: break;  // unknown field, already skipped
        }
    }

    Account acc;
    if (!secret || secret->empty()) return Error(Errc::migration_field, who + ": the secret is missing or empty");
    if (secret->size() > kMaxSecretBytes)
        return Error(Errc::migration_field, who + ": secret of " + std::to_string(secret->size()) +
                                                " bytes; the limit is " + std::to_string(kMaxSecretBytes));
    acc.secret = SecretBytes(*secret);

    auto split = split_prefixed_name(name, issuer_field);
    if (split.prefix)
        MFA_TRY(check_account_text(*split.prefix, who + " name prefix", kMaxIssuerLength, Errc::migration_field));
    MFA_TRY(check_account_text(split.name, who + " name", kMaxAccountNameLength, Errc::migration_field));
    MFA_TRY(check_account_text(issuer_field, who + " issuer", kMaxIssuerLength, Errc::migration_field));
    auto issuer = resolve_issuer(split.prefix, std::string(issuer_field), opts.issuer_policy, who);
    if (!issuer) return std::move(issuer).error();
    acc.issuer = std::move(*issuer);
    acc.name = std::move(split.name);
    if (!acc.issuer.empty()) acc.name.erase(0, std::min(acc.name.size(), acc.name.find_first_not_of(' ')));
    MFA_TRY(check_account_shape(acc, Errc::migration_field, who));

    OtpParams& p = acc.params;
    switch (alg) {
        case kAlgUnspecified:
        case kAlgSha1: p.algorithm = HashAlg::sha1; break;
        case kAlgSha256: p.algorithm = HashAlg::sha256; break;
        case kAlgSha512: p.algorithm = HashAlg::sha512; break;
        case kAlgMd5: return Error(Errc::migration_field, who + " algorithm: MD5 is not supported");
        default: return Error(Errc::migration_field, who + " algorithm: unknown value " + std::to_string(alg));
    }
    switch (digits) {
        case kDigitsUnspecified:
        case kDigitsSix: p.digits = 6; break;
        case kDigitsEight: p.digits = 8; break;
        default: return Error(Errc::migration_field, who + " digits: unknown value " + std::to_string(digits));
    }
    switch (type) {
        case kTypeUnspecified:
        case kTypeTotp: p.type = OtpType::totp; break;
        case kTypeHotp:
            p.type = OtpType::hotp;
            if (counter > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return Error(Errc::migration_field, who + " counter: negative int64");
            p.counter = counter;
            break;
        default: return Error(Errc::migration_field, who + " type: unknown value " + std::to_string(type));
    }
    p.period = 30;  // the payload has no period; every importer assumes 30 s
    if (auto st = validate(p); !st) return Error(Errc::migration_field, who + ": " + st.error().to_string());
    return acc;
}

// Writes protobuf, or only counts its bytes when out is null (the first of two passes).
struct Sink {
    std::uint8_t* out = nullptr;
    std::size_t n = 0;
    void byte(std::uint8_t b) {
        if (out) out[n] = b;
        ++n;
    }
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            byte(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        byte(static_cast<std::uint8_t>(v));
    }
    void key(std::uint32_t field, std::uint32_t wire) { varint((std::uint64_t{field} << 3) | wire); }
    void bytes(std::uint32_t field, ByteView b) {
        key(field, kLen);
        varint(b.size());
        if (out && !b.empty()) std::memcpy(out + n, b.data(), b.size());
        n += b.size();
    }
    void int32(std::uint32_t field, std::int32_t v) {
        key(field, kVarint);
        varint(static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));  // negative: 10 bytes
    }
};

Status check_for_payload(const Account& a, std::size_t index) {
    const std::string who = "account " + std::to_string(index) + " ('" + a.issuer + ":" + a.name + "')";
    const OtpParams& p = a.params;
    if (p.type == OtpType::steam) return Error(Errc::migration_field, who + ": Steam cannot be represented");
    if (p.type == OtpType::totp && p.period != 30)
        return Error(Errc::migration_field, who + ": period " + std::to_string(p.period) +
                                                " cannot be represented (the payload implies 30 s)");
    if (p.type == OtpType::totp && p.t0 != 0) return Error(Errc::migration_field, who + ": t0 cannot be represented");
    if (p.digits != 6 && p.digits != 8)
        return Error(Errc::migration_field, who + ": digits " + std::to_string(p.digits) +
                                                " cannot be represented (6 or 8)");
    if (p.type == OtpType::hotp && p.counter > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return Error(Errc::migration_field, who + ": counter above INT64_MAX");
    if (a.secret.empty()) return Error(Errc::migration_field, who + ": the secret is empty");
    if (a.secret.size() > kMaxSecretBytes) return Error(Errc::migration_field, who + ": the secret is too long");
    MFA_TRY(check_account_text(a.issuer, who + " issuer", kMaxIssuerLength, Errc::migration_field));
    MFA_TRY(check_account_text(a.name, who + " name", kMaxAccountNameLength, Errc::migration_field));
    MFA_TRY(check_account_shape(a, Errc::migration_field, who));
    if (auto st = validate(p); !st) return Error(Errc::migration_field, who + ": " + st.error().to_string());
    return {};
}

void write_account(Sink& s, const Account& a) {
    const OtpParams& p = a.params;
    const std::string name = label_text(a);
    Sink inner;  // counting pass for the length prefix
    for (Sink* w : {&inner, &s}) {
        if (w == &s) {
            s.key(1, kLen);
            s.varint(inner.n);
        }
        w->bytes(1, a.secret.view());
        w->bytes(2, as_bytes(name));
        if (!a.issuer.empty()) w->bytes(3, as_bytes(a.issuer));
        w->key(4, kVarint);
        w->varint(p.algorithm == HashAlg::sha1 ? kAlgSha1 : p.algorithm == HashAlg::sha256 ? kAlgSha256 : kAlgSha512);
        w->key(5, kVarint);
        w->varint(p.digits == 8 ? kDigitsEight : kDigitsSix);
        w->key(6, kVarint);
        w->varint(p.type == OtpType::hotp ? kTypeHotp : kTypeTotp);
        if (p.type == OtpType::hotp) {
            w->key(7, kVarint);
            w->varint(p.counter);
        }
    }
}

}  // namespace

namespace otpauth_detail {

Result<SecretBytes> build_payload(std::span<const Account> accounts, const BatchHeader& h, std::size_t first_index) {
    if (accounts.empty()) return Error(Errc::migration_field, "a batch needs at least one account");
    if (accounts.size() > kMaxMigrationAccounts)
        return Error(Errc::limit_exceeded, std::to_string(accounts.size()) + " accounts; the limit is " +
                                               std::to_string(kMaxMigrationAccounts));
    if (h.version != 0 && h.version != 1)
        return Error(Errc::migration_field, "version " + std::to_string(h.version) + " (only 1 is known)");
    if (h.batch_size < 1) return Error(Errc::migration_field, "batch_size " + std::to_string(h.batch_size));
    if (h.batch_index < 0 || h.batch_index >= h.batch_size)
        return Error(Errc::migration_field, "batch_index " + std::to_string(h.batch_index) + " outside 0.." +
                                                std::to_string(h.batch_size - 1));
    for (std::size_t i = 0; i < accounts.size(); ++i) MFA_TRY(check_for_payload(accounts[i], first_index + i));

    SecretBytes out;
    for (int pass = 0; pass < 2; ++pass) {
        Sink s;
        if (pass == 1) s.out = out.data();
        for (const Account& a : accounts) write_account(s, a);
        s.int32(2, h.version);
        s.int32(3, h.batch_size);
        s.int32(4, h.batch_index);
        s.int32(5, h.batch_id);
        if (pass == 0) out.resize(s.n);
    }
    return out;
}

}  // namespace otpauth_detail

Result<MigrationBatch> parse_migration_payload(ByteView payload, const MigrationParseOptions& opts) {
    MigrationBatch b;
    b.version = 0;  // proto3: an absent field is 0
    b.batch_size = 0;
    Reader r(payload);
    Field f;
    std::uint32_t seen = 0;
    for (;;) {
        auto more = next_field(r, 0, f);
        if (!more) return std::move(more).error();
        if (!*more) break;
        switch (f.number) {
            case 1: {
                if (f.wire != kLen)
                    return Error(Errc::migration_invalid, "field otp_parameters has wire type " +
                                                              std::to_string(f.wire) + ", expected 2" + off(f.offset));
                if (b.accounts.size() == kMaxMigrationAccounts)
                    return Error(Errc::limit_exceeded, "more than " + std::to_string(kMaxMigrationAccounts) +
                                                           " accounts" + off(f.offset));
                const std::size_t base = static_cast<std::size_t>(f.bytes.data() - payload.data());
                auto acc = parse_account(f.bytes, base, b.accounts.size(), opts);
                if (!acc) return std::move(acc).error();
                b.accounts.push_back(std::move(*acc));
                break;
            }
            case 2: case 3: case 4: case 5: {
                static constexpr std::string_view kNames[] = {"", "", "version", "batch_size", "batch_index", "batch_id"};
                const std::string_view name = kNames[f.number];
                MFA_TRY(expect(f, kVarint, name, seen));
                auto v = as_int32(f, name);
                if (!v) return std::move(v).error();
                (f.number == 2 ? b.version : f.number == 3 ? b.batch_size : f.number == 4 ? b.batch_index : b.batch_id) = *v;
                break;
            }
            default: break;  // unknown field, already skipped
        }
    }
    if (b.accounts.empty()) return Error(Errc::migration_field, "the payload holds no accounts");
    if (b.version != 0 && b.version != 1)
        return Error(Errc::migration_field, "version " + std::to_string(b.version) + " (only 1 is known)");
    if (b.batch_size == 0) b.batch_size = 1;  // absent: a single QR code
    if (b.batch_size < 0) return Error(Errc::migration_field, "batch_size " + std::to_string(b.batch_size));
    if (b.batch_index < 0 || b.batch_index >= b.batch_size)
        return Error(Errc::migration_field, "batch_index " + std::to_string(b.batch_index) + " outside 0.." +
                                                std::to_string(b.batch_size - 1));
    return b;
}

Result<SecretBytes> build_migration_payload(const MigrationBatch& batch) {
    return build_payload(batch.accounts, {batch.version, batch.batch_size, batch.batch_index, batch.batch_id}, 0);
}

Status check_migration_account(const Account& account, std::size_t index) { return check_for_payload(account, index); }

}  // namespace mfa
