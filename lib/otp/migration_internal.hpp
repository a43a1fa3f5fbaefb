// Internal: the payload builder over a range of accounts, shared by the single-batch and the
// splitting entry points (account numbers in errors count from `first_index`).
#pragma once

#include <cstdint>
#include <span>

#include "mfa/otpauth.hpp"

namespace mfa::otpauth_detail {

struct BatchHeader {
    std::int32_t version = 1;
    std::int32_t batch_size = 1;
    std::int32_t batch_index = 0;
    std::int32_t batch_id = 0;
};

Result<SecretBytes> build_payload(std::span<const Account> accounts, const BatchHeader& h, std::size_t first_index);
Result<SecretString> payload_to_uri(const SecretBytes& payload);

}  // namespace mfa::otpauth_detail
