// Internal: checking QrOptions, shared by the renderings.
#pragma once

#include <string>

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

}  // namespace mfa::qr::detail
