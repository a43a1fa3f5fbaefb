#include "pam_options.hpp"

#include <algorithm>
#include <charconv>

namespace mfa::pam {
namespace {

Error bad(std::string_view name, std::string_view why) {
    return Error{Errc::invalid_argument, "option '" + std::string(name.substr(0, 64)) + "': " + std::string(why)};
}

std::optional<std::uint32_t> number(std::string_view v, std::uint32_t lo, std::uint32_t hi) {
    std::uint32_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n < lo || n > hi) return std::nullopt;
    return n;
}

bool printable(std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F; });
}

}  // namespace

bool Options::allows(Factor f) const noexcept { return std::find(factors.begin(), factors.end(), f) != factors.end(); }

Result<Options> parse_options(const std::vector<std::string_view>& args) {
    Options o;
    bool pass_set = false;
    for (std::string_view a : args) {
        if (a.size() > kMaxOptionLength) return bad(a.substr(0, a.find('=')), "longer than 4096 bytes");
        const auto eq = a.find('=');
        const std::string_view name = a.substr(0, eq);
        const bool has_value = eq != std::string_view::npos;
        const std::string_view v = has_value ? a.substr(eq + 1) : std::string_view{};
        auto flag = [&](bool& target) -> Status {
            if (has_value) return bad(name, "takes no value");
            target = true;
            return {};
        };
        auto text = [&](std::string& target, bool allow_empty = false) -> Status {
            if (!has_value || (!allow_empty && v.empty())) return bad(name, "needs a value");
            if (!printable(v)) return bad(name, "has a control character");
            target = std::string(v);
            return {};
        };
        auto num = [&](auto& target, std::uint32_t lo, std::uint32_t hi) -> Status {
            auto n = has_value ? number(v, lo, hi) : std::nullopt;
            if (!n) return bad(name, "needs a number " + std::to_string(lo) + ".." + std::to_string(hi));
            target = static_cast<std::remove_reference_t<decltype(target)>>(*n);
            return {};
        };
        auto pass = [&](PassMode m) -> Status {
            if (has_value) return bad(name, "takes no value");
            if (pass_set) return bad(name, "only one of try_first_pass, use_first_pass, forward_pass");
            pass_set = true;
            o.pass = m;
            return {};
        };
        Status st;
        if (name == "store") {
            st = text(o.store_url);
            if (st) {
                auto u = store::parse_store_url(o.store_url);
                if (!u) st = bad(name, "not a store URL: " + u.error().detail);
            }
        } else if (name == "keyring") st = text(o.keyring_path);
        else if (name == "factors") {
            if (!has_value || v.empty()) return bad(name, "needs a list: totp,key,recovery");
            o.factors.clear();
            std::size_t i = 0;
            while (i <= v.size()) {
                std::size_t j = v.find(',', i);
                if (j == std::string_view::npos) j = v.size();
                const std::string_view f = v.substr(i, j - i);
                Factor x;
                if (f == "totp") x = Factor::totp;
                else if (f == "key") x = Factor::key;
                else if (f == "recovery") x = Factor::recovery;
                else return bad(name, "unknown factor (totp, key, recovery)");
                if (o.allows(x)) return bad(name, "a factor named twice");
                o.factors.push_back(x);
                i = j + 1;
            }
        } else if (name == "key_first") st = flag(o.key_first);
        else if (name == "rp_id") st = text(o.rp_id);
        else if (name == "origin") st = text(o.origin);
        else if (name == "appid") st = text(o.appid);
        else if (name == "device") st = text(o.device);
        else if (name == "pin" || name == "pinverification") st = flag(o.pin);
        else if (name == "cue") st = flag(o.cue);
        else if (name == "nullok" || name == "nouserok") st = flag(o.nullok);  // nouserok: pam-u2f's name
        else if (name == "echo_verification_code") st = flag(o.echo_code);  // google-authenticator's name
        else if (name == "org") st = text(o.org);
        else if (name == "try_first_pass") st = pass(PassMode::try_first_pass);
        else if (name == "use_first_pass") st = pass(PassMode::use_first_pass);
        else if (name == "forward_pass") st = pass(PassMode::forward_pass);
        else if (name == "prompt") st = text(o.prompt);
        else if (name == "debug") st = flag(o.debug);
        else if (name == "fail") {
            if (v == "closed" && has_value) o.fail_open = false;
            else if (v == "open") o.fail_open = true;
            else st = bad(name, "closed or open");
        } else if (name == "enroll_dir") st = text(o.enroll_dir);
        else if (name == "noenroll") {
            bool off = false;
            st = flag(off);
            o.enroll = !off;
        } else if (name == "migrate") {
            if (!has_value || v.empty()) return bad(name, "needs a list: google_authenticator, pam_u2f");
            std::size_t i = 0;
            while (i <= v.size()) {
                std::size_t j = v.find(',', i);
                if (j == std::string_view::npos) j = v.size();
                const std::string_view m = v.substr(i, j - i);
                if (m == "google_authenticator") o.migrate_google_authenticator = true;
                else if (m == "pam_u2f") o.migrate_pam_u2f = true;
                else return bad(name, "unknown source (google_authenticator, pam_u2f)");
                i = j + 1;
            }
        } else if (name == "secret") st = text(o.ga_secret_path);
        else if (name == "authfile") st = text(o.u2f_authfile);
        else if (name == "window") st = num(o.window, 0, 50);
        else if (name == "tries") st = num(o.tries, 1, kMaxTries);
        else if (name == "issuer") st = text(o.issuer);
        else if (name == "free_failures") st = num(o.throttle.free_failures, 0, store::kMaxLockAfter);
        else if (name == "delay") st = num(o.throttle.base_delay, 0, 86400);
        else if (name == "max_delay") st = num(o.throttle.max_delay, 0, 86400);
        else if (name == "lock_after") st = num(o.throttle.lock_after, 1, store::kMaxLockAfter);
        else if (name == "lock_duration") st = num(o.throttle.lock_duration, 0, 86400 * 365);
        else return bad(name, "unknown option");
        if (!st) return std::move(st).error();
    }
    if (o.factors.empty()) return bad("factors", "no factor left");
    if (o.key_first && !o.allows(Factor::key)) return bad("key_first", "needs key in factors=");
    if (o.pass != PassMode::prompt && !o.allows(Factor::totp) && !o.allows(Factor::recovery))
        return bad("factors", "the first-pass options need totp or recovery");
    if (auto v = store::validate(o.throttle); !v) return bad("throttle", v.error().detail);
    return o;
}

std::string expand_path(std::string_view pattern, std::string_view user, std::string_view home) {
    std::string out;
    std::size_t i = 0;
    if (pattern == "~" || pattern.starts_with("~/")) {
        out = home;
        i = 1;
    }
    while (i < pattern.size()) {
        if (pattern.substr(i).starts_with("${HOME}")) {
            out += home;
            i += 7;
        } else if (pattern.substr(i).starts_with("${USER}")) {
            out += user;
            i += 7;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

}  // namespace mfa::pam
