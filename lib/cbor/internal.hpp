// Helpers shared by the CBOR decoder and encoder. Not installed.
#pragma once

#include <cstdint>
#include <optional>

#include "mfa/bytes.hpp"

namespace mfa::cbor::detail {

// IEEE 754 half precision to double (exact for every half value).
double half_to_double(std::uint16_t h) noexcept;
// The half / single precision encoding of d, when it holds d exactly (NaN excluded: the canonical
// NaN is always the half 0x7e00).
std::optional<std::uint16_t> exact_half(double d) noexcept;
std::optional<float> exact_single(double d) noexcept;

// CTAP2 canonical key order over encoded keys: by the first byte (major type and head), then the
// shorter encoding, then bytewise. For the key types CTAP2 uses (integers, strings, simple values)
// this is plain bytewise lexicographic order of the encodings. Returns <0, 0, >0.
int compare_keys(ByteView a, ByteView b) noexcept;

}  // namespace mfa::cbor::detail
