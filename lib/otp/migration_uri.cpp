// otpauth-migration://offline?data=<percent-encoded standard Base64 of the payload>, batching, and
// putting the batches of one export back together.
#include <algorithm>
#include <limits>

#include "mfa/encoding.hpp"
#include "mfa/otpauth.hpp"
#include "migration_internal.hpp"
#include "percent.hpp"
#include "text.hpp"

namespace mfa {

using namespace otpauth_detail;

namespace {

constexpr std::string_view kPrefix = "otpauth-migration://offline?data=";

std::string at_pos(std::size_t pos) { return " at position " + std::to_string(pos); }

}  // namespace

Result<MigrationBatch> parse_migration_uri(std::string_view uri, const MigrationParseOptions& opts) {
    if (uri.size() > kMaxMigrationUriLength)
        return Error(Errc::uri_too_long, "URI is " + std::to_string(uri.size()) + " bytes; the limit is " +
                                             std::to_string(kMaxMigrationUriLength));
    constexpr std::string_view kScheme = "otpauth-migration://";
    if (uri.size() < kScheme.size() || !iequals(uri.substr(0, kScheme.size()), kScheme)) {
        if (uri.size() >= 10 && iequals(uri.substr(0, 10), "otpauth://"))
            return Error(Errc::uri_scheme, "otpauth:// is a single account: use parse_otpauth_uri");
        return Error(Errc::uri_scheme, "not an otpauth-migration:// URI");
    }
    const std::size_t host_pos = kScheme.size();
    const auto q = uri.find('?', host_pos);
    const std::string_view host = uri.substr(host_pos, (q == std::string_view::npos ? uri.size() : q) - host_pos);
    if (!iequals(host, "offline"))
        return Error(Errc::uri_invalid, "host '" + std::string(host.substr(0, 32)) + "'" + at_pos(host_pos) +
                                            " is not 'offline'");
    if (q == std::string_view::npos) return Error(Errc::uri_parameter, "the data parameter is missing");

    std::optional<std::size_t> data_pos;
    std::string_view data_raw;
    for (std::size_t pos = q + 1; pos <= uri.size();) {
        auto amp = std::min(uri.find('&', pos), uri.size());
        const std::string_view pair = uri.substr(pos, amp - pos);
        if (!pair.empty()) {
            const auto eq = pair.find('=');
            if (!iequals(pair.substr(0, eq), "data"))
                return Error(Errc::uri_parameter, "unknown parameter '" + std::string(pair.substr(0, std::min<std::size_t>(eq, 32))) +
                                                      "'" + at_pos(pos));
            if (data_pos)
                return Error(Errc::uri_parameter, "duplicate parameter 'data'" + at_pos(pos) + " (first at position " +
                                                      std::to_string(*data_pos) + ")");
            data_pos = pos;
            data_raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        }
        pos = amp + 1;
    }
    if (!data_pos) return Error(Errc::uri_parameter, "the data parameter is missing");

    // '+' stays '+': it is a Base64 character here, and exporters escape it as %2B anyway.
    const std::size_t value_pos = static_cast<std::size_t>(data_raw.data() - uri.data());
    SecretBytes text(data_raw.size());
    auto n = percent_decode(data_raw, value_pos, "data", {.plus_is_space = false, .check_text = false},
                            reinterpret_cast<char*>(text.data()));
    if (!n) return Error(Errc::migration_invalid, std::move(n).error().detail);
    text.resize(*n);
    auto payload = base64_decode(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
                                 Base64Mode::lenient);
    if (!payload)
        return Error(Errc::migration_invalid, "data" + at_pos(value_pos) + ": " + payload.error().detail);
    SecretBytes bytes(*payload);
    secure_wipe(payload->data(), payload->size());
    if (bytes.empty()) return Error(Errc::migration_invalid, "data" + at_pos(value_pos) + " is empty");
    return parse_migration_payload(bytes.view(), opts);
}

namespace otpauth_detail {

Result<SecretString> payload_to_uri(const SecretBytes& payload) {
    std::string b64 = base64_encode(payload.view());
    std::size_t total = kPrefix.size();
    for (char c : b64) total += (c == '+' || c == '/' || c == '=') ? 3 : 1;
    if (total > kMaxMigrationUriLength) {
        secure_wipe(b64.data(), b64.size());
        return Error(Errc::uri_too_long, "the URI would be " + std::to_string(total) + " bytes; the limit is " +
                                             std::to_string(kMaxMigrationUriLength));
    }
    SecretBytes buf(total);
    char* w = reinterpret_cast<char*>(buf.data());
    w = std::copy(kPrefix.begin(), kPrefix.end(), w);
    for (char c : b64) {
        const char* esc = c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : nullptr;
        if (esc) {
            w = std::copy(esc, esc + 3, w);
        } else {
            *w++ = c;
        }
    }
    secure_wipe(b64.data(), b64.size());
    return SecretString(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
}

}  // namespace otpauth_detail

Result<SecretString> build_migration_uri(const MigrationBatch& batch) {
    auto payload = build_migration_payload(batch);
    if (!payload) return std::move(payload).error();
    return payload_to_uri(*payload);
}

Result<std::vector<SecretString>> build_migration_uris(const std::vector<Account>& accounts, std::size_t per_batch,
                                                       std::int32_t batch_id) {
    if (accounts.empty()) return Error(Errc::invalid_argument, "no accounts to export");
    if (per_batch == 0) return Error(Errc::invalid_argument, "per_batch is 0");
    if (accounts.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        return Error(Errc::limit_exceeded, "too many accounts");
    const std::size_t count = (accounts.size() + per_batch - 1) / per_batch;
    std::vector<SecretString> uris;
    uris.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t first = i * per_batch;
        const std::size_t n = std::min(per_batch, accounts.size() - first);
        const BatchHeader h{1, static_cast<std::int32_t>(count), static_cast<std::int32_t>(i), batch_id};
        auto payload = build_payload(std::span<const Account>(accounts).subspan(first, n), h, first);
        if (!payload) return std::move(payload).error();
        auto uri = payload_to_uri(*payload);
        if (!uri) return Error(uri.error().code, "batch " + std::to_string(i) + ": " + uri.error().detail);
        uris.push_back(std::move(*uri));
    }
    return uris;
}

Result<std::vector<Account>> join_migration_batches(const std::vector<MigrationBatch>& batches) {
    if (batches.empty()) return Error(Errc::invalid_argument, "no batches");
    const MigrationBatch& first = batches.front();
    if (first.batch_size < 1 || static_cast<std::size_t>(first.batch_size) != batches.size())
        return Error(Errc::migration_field, std::to_string(batches.size()) + " batches given, but the export has " +
                                                std::to_string(first.batch_size));
    std::vector<const MigrationBatch*> by_index(batches.size(), nullptr);
    for (std::size_t i = 0; i < batches.size(); ++i) {
        const MigrationBatch& b = batches[i];
        const std::string who = "batch " + std::to_string(i);
        if (b.batch_id != first.batch_id)
            return Error(Errc::migration_field, who + " has batch_id " + std::to_string(b.batch_id) +
                                                    ", the first has " + std::to_string(first.batch_id));
        if (b.batch_size != first.batch_size)
            return Error(Errc::migration_field, who + " has batch_size " + std::to_string(b.batch_size) +
                                                    ", the first has " + std::to_string(first.batch_size));
        if (b.batch_index < 0 || b.batch_index >= b.batch_size)
            return Error(Errc::migration_field, who + " has batch_index " + std::to_string(b.batch_index));
        auto& slot = by_index[static_cast<std::size_t>(b.batch_index)];
        if (slot) return Error(Errc::migration_field, who + " repeats batch_index " + std::to_string(b.batch_index));
        slot = &b;
    }
    std::vector<Account> out;
    for (const MigrationBatch* b : by_index)
        for (const Account& a : b->accounts) out.push_back(a.clone());
    return out;
}

}  // namespace mfa
