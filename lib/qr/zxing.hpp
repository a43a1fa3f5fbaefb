// Internal: zxing-cpp, loaded when the first image is scanned instead of linked
// (mfa/shared_library.hpp says why). Its API is C++; decode.cpp calls it only through these two.
#pragma once

// std::string from Result::text(), as zxing-cpp 2 has it (we read bytes() only). Defined here, for
// every file that includes zxing's headers alike.
#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#include "mfa/error.hpp"

namespace mfa::qr::detail {

// ZXing::ReadBarcodes. Errc::unsupported naming libZXing.so.2 and what is missing when it cannot
// be loaded. Nothing zxing throws gets past this call: std::bad_alloc is no_memory, anything else
// internal with its what(). The Results are destroyed by inline code (zxing.cpp says why that is
// safe).
Result<ZXing::Results> read_barcodes(const ZXing::ImageView& view, const ZXing::DecodeHints& hints);

// ZXing::Result::bytes() of a result read_barcodes returned (so libZXing is loaded).
const ZXing::ByteArray& result_bytes(const ZXing::Result& r) noexcept;

}  // namespace mfa::qr::detail
