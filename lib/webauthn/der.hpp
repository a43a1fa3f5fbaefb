// A minimal DER reader over mfa::Reader, for the few ASN.1 structures OpenSSL has no parser for
// (the Android key description, Apple's nonce extension, the FIDO AAGUID extension).
//
// Strict DER only: definite lengths in minimal form, high tag numbers in minimal form up to 2^28,
// no indefinite lengths. Callers walk a fixed schema, so there is no recursion on untrusted depth.
#pragma once

#include <cstdint>
#include <optional>

#include "mfa/bytes.hpp"
#include "mfa/reader.hpp"

namespace mfa::der {

enum class Class : std::uint8_t { universal = 0, application = 1, context = 2, private_ = 3 };

// Universal tag numbers used here.
inline constexpr std::uint32_t kBoolean = 1, kInteger = 2, kBitString = 3, kOctetString = 4, kNull = 5,
                               kEnumerated = 10, kSequence = 16, kSet = 17;

struct Tlv {
    Class cls = Class::universal;
    bool constructed = false;
    std::uint32_t tag = 0;
    ByteView value;   // the contents octets
};

// Reads one TLV; on failure the reader does not move.
[[nodiscard]] bool read_tlv(Reader& r, Tlv& out) noexcept;

// Reads one TLV and checks its identifier.
[[nodiscard]] bool read_expected(Reader& r, Class cls, bool constructed, std::uint32_t tag, ByteView& value) noexcept;

// An INTEGER or ENUMERATED body as int64 (two's complement, minimal, at most 8 bytes).
[[nodiscard]] bool parse_int64(ByteView body, std::int64_t& out) noexcept;

}  // namespace mfa::der
