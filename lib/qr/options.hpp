// Internal: what the renderings share: checking QrOptions, and the text overloads.
#pragma once

#include <string>
#include <utility>

#include "mfa/qr.hpp"

namespace mfa::qr::detail {

[[nodiscard]] inline Status check_options(const QrOptions& opts, bool uses_scale = true) {
    if (opts.border > kMaxBorder)
        return Error(Errc::invalid_argument, "QR border of " + std::to_string(opts.border) + " modules (at most " +
                                                 std::to_string(kMaxBorder) + ")");
    if (uses_scale && (opts.scale == 0 || opts.scale > kMaxScale))
        return Error(Errc::invalid_argument, "QR scale of " + std::to_string(opts.scale) + " (1.." +
                                                 std::to_string(kMaxScale) + " pixels a module)");
    return {};
}

// The text overload of a rendering: encodes at opts.ec, then renders the matrix (which checks the
// options).
template <class Render>
auto encode_then(std::string_view text, const QrOptions& opts, Render render) -> decltype(render(std::declval<const Matrix&>())) {
    auto m = Matrix::encode(text, opts.ec);
    if (!m) return std::move(m).error();
    return render(*m);
}

}  // namespace mfa::qr::detail
