// The QR component loads its libraries (libqrencode, libpng, zxing-cpp, libjpeg) when first used,
// each only for what needs it: a process that draws or reads no QR code maps none of them. Its own
// executable: the qr suite links libpng and libjpeg to write its inputs, this one links neither.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "mfa/qr.hpp"
#include "test_support.hpp"

namespace {

// The sonames (file names) of the QR libraries the loader has mapped into this process.
std::set<std::string> loaded() {
    return mfa::test::mapped_among({"libqrencode.so.4", "libpng16.so.16", "libZXing.so.2", "libjpeg.so.62"});
}

using Set = std::set<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(qr_lazy)

BOOST_AUTO_TEST_CASE(each_library_is_loaded_when_first_used) {
    BOOST_TEST(loaded() == Set{});

    // Refused before any library is needed: still nothing loaded.
    BOOST_TEST(mfa::qr::Matrix::encode("").code() == mfa::Errc::invalid_argument);
    BOOST_TEST(mfa::qr::decode_image(mfa::ByteView()).code() == mfa::Errc::invalid_argument);
    BOOST_TEST(loaded() == Set{});

    auto m = mfa::qr::Matrix::encode("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
    BOOST_REQUIRE(m);
    BOOST_TEST(loaded() == Set{"libqrencode.so.4"});
    BOOST_TEST(mfa::qr::to_svg(*m).ok());
    BOOST_TEST(loaded() == Set{"libqrencode.so.4"});

    auto png = mfa::qr::to_png(*m);
    BOOST_REQUIRE(png);
    BOOST_TEST(loaded() == (Set{"libqrencode.so.4", "libpng16.so.16"}));

    auto texts = mfa::qr::decode_png(png->view());
    BOOST_REQUIRE(texts);
    BOOST_REQUIRE(texts->size() == 1u);
    BOOST_TEST((*texts)[0].view() == "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
    BOOST_TEST(loaded() == (Set{"libqrencode.so.4", "libpng16.so.16", "libZXing.so.2"}));

    const char* src = std::getenv("MFA_SOURCE_DIR");
    BOOST_REQUIRE(src != nullptr);
    auto jpeg = mfa::qr::decode_image_file(std::string(src) + "/fuzz/corpus/qr_image/otpauth_uri.jpg");
    BOOST_REQUIRE_MESSAGE(jpeg.ok(), (jpeg ? std::string() : jpeg.error().to_string()));
    BOOST_TEST(loaded() == (Set{"libqrencode.so.4", "libpng16.so.16", "libZXing.so.2", "libjpeg.so.62"}));
}

BOOST_AUTO_TEST_SUITE_END()
