// Codes from vault entries: TOTP/Steam on demand, HOTP only through a saved counter.
#include "vault_impl.hpp"

namespace mfa {

Result<CurrentCode> totp_code(const VaultEntry& e, std::int64_t unix_time) {
    if (e.account.params.type == OtpType::hotp)
        return Error(Errc::invalid_argument, e.label() + " is an HOTP account: use hotp_next");
    auto otp = Otp::create(e.account.secret.clone(), e.account.params);
    if (!otp) return std::move(otp).error();
    CurrentCode c;
    c.code = otp->generate(unix_time);
    c.seconds_left = otp->seconds_left(unix_time);
    c.period = otp->params().period;
    c.next = otp->generate(unix_time + static_cast<std::int64_t>(c.seconds_left));
    return c;
}

Result<Code> Vault::hotp_next(std::string_view id) {
    if (!impl_->lock) return Error(Errc::vault_read_only, "hotp_next saves the counter: open with OpenMode::write");
    VaultEntry* entry = nullptr;
    for (auto& e : impl_->entries)
        if (e.id == id) entry = &e;
    if (entry == nullptr) return Error(Errc::not_found, "no account with id " + std::string(id));
    if (entry->account.params.type != OtpType::hotp)
        return Error(Errc::invalid_argument, entry->label() + " is not an HOTP account");
    const std::uint64_t counter = entry->account.params.counter;
    if (counter == UINT64_MAX) return Error(Errc::limit_exceeded, entry->label() + ": counter exhausted");
    auto otp = Otp::create(entry->account.secret.clone(), entry->account.params);
    if (!otp) return std::move(otp).error();
    const Code code = otp->at_step(counter);
    // The counter moves on disk before the code is shown, so a code is never shown twice even if the
    // process dies right after; a failed save puts the counter back and shows nothing.
    const std::int64_t updated = entry->updated;
    entry->account.params.counter = counter + 1;
    entry->updated = vault_detail::now_from(impl_->opts);
    if (auto st = save(); !st) {
        entry->account.params.counter = counter;
        entry->updated = updated;
        return std::move(st).error();
    }
    return code;
}

}  // namespace mfa
