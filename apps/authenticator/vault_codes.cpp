#include "vault_codes.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "clipboard.hpp"

namespace mfa::app {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop(int) { g_stop.store(true); }

struct Line {
    std::string label;
    std::string text;
};

}  // namespace

std::string group_code(std::string_view code) {
    if (code.size() < 6 || code.size() % 2 != 0) return std::string(code);
    const std::size_t half = code.size() / 2;
    return std::string(code.substr(0, half)) + " " + std::string(code.substr(half));
}

std::string countdown_bar(std::uint32_t left, std::uint32_t period, std::size_t width) {
    const std::size_t filled = period == 0 ? 0 : (width * left + period - 1) / period;
    return "[" + std::string(std::min(filled, width), '#') + std::string(width - std::min(filled, width), '.') + "]";
}

int VaultCodes::run(Context& ctx) {
    std::optional<Vault> vault;
    if (int rc = flags.open(ctx, OpenMode::read, vault); rc != kExitOk) return rc;
    auto hits = vault->search(query);
    if (hits.empty()) {
        if (vault->entries().empty()) return report(ctx, Error(Errc::not_found, "the vault is empty (add accounts with `mfa add`)"));
        return report(ctx, Error(Errc::not_found, "no account matches '" + query + "'"));
    }
    std::size_t width = 0;
    for (const auto* e : hits) width = std::max(width, e->label().size());

    auto frame = [&](std::int64_t t, bool redraw) {
        if (json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto* e : hits) {
                nlohmann::json j{{"id", e->id}, {"issuer", e->account.issuer}, {"name", e->account.name},
                                 {"type", std::string(to_string(e->account.params.type))}};
                if (auto c = totp_code(*e, t)) {
                    j["code"] = std::string(c->code.view());
                    j["next"] = std::string(c->next.view());
                    j["seconds_left"] = c->seconds_left;
                    j["period"] = c->period;
                    j["time"] = t;
                } else {
                    j["counter"] = e->account.params.counter;   // hotp: `mfa hotp next`
                }
                arr.push_back(std::move(j));
            }
            ctx.out << arr.dump() << '\n';
            return;
        }
        if (redraw) ctx.out << "\033[" << hits.size() << "A";
        for (const auto* e : hits) {
            std::string label = e->label();
            label.resize(width, ' ');
            if (redraw) ctx.out << "\r\033[K";
            if (auto c = totp_code(*e, t)) {
                ctx.out << label << "  " << group_code(c->code.view()) << "  " << countdown_bar(c->seconds_left, c->period)
                        << ' ' << (c->seconds_left < 10 ? " " : "") << c->seconds_left << "s  next " << group_code(c->next.view())
                        << '\n';
            } else {
                ctx.out << label << "  (hotp, counter " << e->account.params.counter << ": `mfa hotp next`)\n";
            }
        }
    };

    if (copy) {
        if (hits.size() != 1)
            return usage_error(ctx, "--copy: '" + query + "' matches " + std::to_string(hits.size()) + " accounts; name one");
        const std::int64_t t = time ? *time : unix_now();
        auto c = totp_code(*hits[0], t);
        if (!c) return usage_error(ctx, "--copy: " + hits[0]->label() + " is an HOTP account (`mfa hotp next` shows its code)");
        frame(t, false);
        if (auto st = copy_to_clipboard(c->code.view(), c->seconds_left); !st) return report(ctx, st.error(), "--copy");
        ctx.err << "Copied to the clipboard; cleared in " << c->seconds_left << " s.\n";
        return kExitOk;
    }
    if (!watch) {
        frame(time ? *time : unix_now(), false);
        return kExitOk;
    }
    g_stop.store(false);
    auto previous = std::signal(SIGINT, on_stop);
    auto previous_term = std::signal(SIGTERM, on_stop);
    const std::int64_t start = unix_now();
    bool first = true;
    for (std::int64_t t = start;; t = unix_now()) {
        frame(t, ctx.out_is_terminal && !json && !first);
        first = false;
        ctx.out.flush();
        if (duration > 0 && t - start + 1 >= static_cast<std::int64_t>(duration)) break;
        const auto next = std::chrono::system_clock::time_point(std::chrono::seconds(t + 1));
        while (std::chrono::system_clock::now() < next && !g_stop.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (g_stop.load()) break;
    }
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previous_term);
    return kExitOk;
}

}  // namespace mfa::app
