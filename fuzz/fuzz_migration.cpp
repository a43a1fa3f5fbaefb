// otpauth-migration parsing of untrusted input, both as a raw protobuf payload and as a URI: must
// never crash; whatever parses must build again and parse back to the same batch.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mfa/otpauth.hpp"

namespace {

void check_round_trip(const mfa::MigrationBatch& b) {
    auto uri = mfa::build_migration_uri(b);
    if (!uri) {
        // Only the URI length can stop a parsed batch from being built again.
        if (uri.code() == mfa::Errc::uri_too_long) return;
        std::abort();
    }
    auto back = mfa::parse_migration_uri(uri->view());
    if (!back || back->accounts.size() != b.accounts.size() || back->version != b.version ||
        back->batch_size != b.batch_size || back->batch_index != b.batch_index || back->batch_id != b.batch_id)
        std::abort();
    for (std::size_t i = 0; i < b.accounts.size(); ++i)
        if (!mfa::same_account(b.accounts[i], back->accounts[i])) std::abort();
    auto payload = mfa::build_migration_payload(b);
    if (!payload) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (mfa::IssuerPolicy policy : {mfa::IssuerPolicy::strict, mfa::IssuerPolicy::prefer_label}) {
        if (auto b = mfa::parse_migration_payload(mfa::ByteView(data, size), {policy})) check_round_trip(*b);
        if (auto b = mfa::parse_migration_uri(text, {policy})) check_round_trip(*b);
    }
    return 0;
}
