// OTP verification of untrusted codes with arbitrary parameters. Input layout: byte 0 type,
// byte 1 algorithm, byte 2 digits, bytes 3-4 period, 5-12 time (t0 = time / 7), 13 window past,
// 14 window future, 15 key length, then the key, then the submitted code (the rest).
// Invariants: nothing crashes; create accepts exactly what validate accepts; a well-formed code is
// format-checked before anything else; a code just generated verifies at once (at the current step,
// or the next one when the code repeats there) and is then a replay; HOTP verification agrees with at_step
// and never accepts counter 2^64-1 (whose successor would wrap to 0).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "mfa/otp.hpp"

namespace {
[[noreturn]] void fail() { std::abort(); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 16) return 0;
    mfa::OtpParams p;
    p.type = static_cast<mfa::OtpType>(data[0] % 4);  // 3 is invalid on purpose
    p.algorithm = static_cast<mfa::HashAlg>(data[1] % 4);
    p.digits = data[2] % 12;
    p.period = static_cast<std::uint32_t>(data[3] | (data[4] << 8)) * 2u;  // 0..131070
    std::uint64_t t = 0;
    std::memcpy(&t, data + 5, 8);
    const auto now = static_cast<std::int64_t>(t);
    p.t0 = now / 7;
    p.counter = t;
    const mfa::Window w{data[13] % 64u, data[14] % 64u};
    const std::size_t key_len = data[15];
    if (size < 16 + key_len) return 0;
    mfa::SecretBytes key(std::span<const std::uint8_t>(data + 16, key_len));
    const std::string_view code(reinterpret_cast<const char*>(data + 16 + key_len), size - 16 - key_len);

    const bool valid = mfa::validate(p).ok();
    auto o = mfa::Otp::create(std::move(key), p);
    if (o.ok() != (valid && key_len >= mfa::kMinSecretBytes)) fail();
    if (!o) return 0;

    const unsigned len = o->params().digits;
    if (p.type == mfa::OtpType::hotp) {
        const mfa::HotpVerification v = o->verify_hotp(code, w.past);
        if (code.size() != len && v.status != mfa::Errc::otp_code_format && v.status != mfa::Errc::invalid_argument)
            fail();
        if (v.ok() && o->at_step(v.matched_counter).view() != code) fail();
        const mfa::Code g = o->generate(now);
        const mfa::HotpVerification mine = o->verify_hotp(g.view(), 0);
        // Counter 2^64-1 has no successor to store, so even its own code is refused (no wrap to 0).
        if (p.counter == UINT64_MAX) {
            if (mine.ok()) fail();
        } else if (!mine.ok() || mine.matched_counter != p.counter) {
            fail();
        }
        (void)o->resync_hotp(code, g.view(), w.future * 16u);
    } else {
        const mfa::TotpVerification v = o->verify(code, now, w, now / 3);
        if (code.size() != len && v.status != mfa::Errc::otp_code_format &&
            v.status != mfa::Errc::invalid_argument)
            fail();
        if ((v.ok() || v.status == mfa::Errc::otp_code_replayed) &&
            o->at_step(static_cast<std::uint64_t>(v.matched_step)).view() != code)
            fail();
        const mfa::Code g = o->generate(now);
        if (g.size() != len) fail();
        // The latest matching step of the ±1 window counts: the current one, or the next when the
        // code repeats there (short codes do: 1 in 10^digits).
        const mfa::TotpVerification mine = o->verify(g.view(), now, {});
        const std::int64_t step = o->time_step(now);
        if (!mine.ok() || (mine.matched_step != step && mine.matched_step != step + 1)) fail();
        if (mine.drift != mine.matched_step - step) fail();
        if (o->at_step(static_cast<std::uint64_t>(mine.matched_step)).view() != g.view()) fail();
        if (o->verify(g.view(), now, {}, mine.matched_step).status != mfa::Errc::otp_code_replayed) fail();
    }
    return 0;
}
