// The text renderings of a QR matrix: SVG and terminal half blocks.
#include <string>

#include "mfa/qr.hpp"
#include "options.hpp"

namespace mfa::qr {
namespace {

// Appends a number without an intermediate std::string (the coordinates describe the secret).
void append_number(SecretString& s, long v) {
    char buf[24];
    int n = 0;
    const bool neg = v < 0;
    unsigned long u = neg ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    do {
        buf[sizeof buf - 1 - n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (neg) buf[sizeof buf - 1 - n++] = '-';
    s.append(std::string_view(buf + sizeof buf - n, static_cast<std::size_t>(n)));
}

}  // namespace

Result<SecretString> to_svg(const Matrix& m, const QrOptions& opts) {
    MFA_TRY(detail::check_options(opts));
    const long border = static_cast<long>(opts.border);
    const long side = m.size() + 2 * border;
    SecretString s;
    s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    append_number(s, side * static_cast<long>(opts.scale));
    s.append("\" height=\"");
    append_number(s, side * static_cast<long>(opts.scale));
    s.append("\" viewBox=\"0 0 ");
    append_number(s, side);
    s.push_back(' ');
    append_number(s, side);
    s.append("\" shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"");
    // A run of dark modules on a row is one rectangle: a few times shorter than one per module.
    for (int y = 0; y < m.size(); ++y) {
        for (int x = 0; x < m.size();) {
            if (!m.dark(x, y)) {
                ++x;
                continue;
            }
            int run = 1;
            while (x + run < m.size() && m.dark(x + run, y)) ++run;
            s.push_back('M');
            append_number(s, x + border);
            s.push_back(' ');
            append_number(s, y + border);
            s.push_back('h');
            append_number(s, run);
            s.append("v1h-");
            append_number(s, run);
            s.push_back('z');
            x += run;
        }
    }
    s.append("\"/>\n</svg>\n");
    return s;
}

Result<SecretString> to_svg(std::string_view text, const QrOptions& opts) {
    return detail::encode_then(text, opts, [&](const Matrix& m) { return to_svg(m, opts); });
}

Result<SecretString> to_terminal(const Matrix& m, const QrOptions& opts) {
    MFA_TRY(detail::check_options(opts, false));
    const int border = static_cast<int>(opts.border);
    const int side = m.size() + 2 * border;
    auto at = [&](int x, int y) { return y < side && m.dark(x - border, y - border); };
    SecretString s;
    for (int y = 0; y < side; y += 2) {
        s.append("\033[30;47m");
        for (int x = 0; x < side; ++x) {
            const bool top = at(x, y), bottom = at(x, y + 1);
            s.append(top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ");
        }
        s.append("\033[0m\n");
    }
    return s;
}

Result<SecretString> to_terminal(std::string_view text, const QrOptions& opts) {
    return detail::encode_then(text, opts, [&](const Matrix& m) { return to_terminal(m, opts); });
}

}  // namespace mfa::qr
