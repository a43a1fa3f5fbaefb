// Interop through the pty bridge: Debian's fido2-tools and python-fido2 drive the soft token as if
// it were a USB key, and credentials travel both ways between them and the SDK's client. Each case
// skips with a message when its tool is absent.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mfa/cbor.hpp"
#include "mfa/encoding.hpp"
#include "mfa/fido2.hpp"
#include "mfa/softtoken.hpp"
#include "mfa/softtoken_bridge.hpp"
#include "test_support.hpp"

using namespace mfa;
namespace fs = std::filesystem;

namespace {

bool have(const char* tool) { return ::access(tool, X_OK) == 0; }

struct Served {
    fs::path dir;
    std::shared_ptr<softtoken::SoftToken> token;
    std::unique_ptr<softtoken::PtyBridge> bridge;
    Served() {
        dir = fs::temp_directory_path() / ("mfa-bridge-test-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        fs::remove(dir / "token.cbor");
        softtoken::Options o;
        o.reset_window = std::chrono::milliseconds(0);
        auto t = softtoken::SoftToken::open(dir / "token.cbor", o);
        BOOST_REQUIRE(t);
        token = *t;
        auto b = softtoken::PtyBridge::start(token);
        BOOST_REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
        bridge = std::move(*b);
    }
    fs::path file(const std::string& name, const std::string& content) const {
        std::ofstream(dir / name) << content;
        return dir / name;
    }
    // Runs a shell command, returns its exit status; stdout goes to `out`.
    int run(const std::string& cmd, std::string* out = nullptr) const {
        const fs::path o = dir / "stdout";
        const int rc = std::system((cmd + " > " + o.string() + " 2> " + (dir / "stderr").string()).c_str());
        std::ifstream in(o);
        std::stringstream ss;
        ss << in.rdbuf();
        if (out) *out = ss.str();
        if (rc != 0) {
            std::ifstream err(dir / "stderr");
            std::stringstream es;
            es << err.rdbuf();
            BOOST_TEST_MESSAGE(cmd << " failed: " << es.str());
        }
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    }
};

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string l; std::getline(ss, l);) out.push_back(l);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bridge)

BOOST_AUTO_TEST_CASE(fido2_token_reads_info) {
    if (!have("/usr/bin/fido2-token")) {
        mfa::test::skip("/usr/bin/fido2-token is not installed (Debian fido2-tools)");
        return;
    }
    Served s;
    std::string out;
    BOOST_REQUIRE_EQUAL(s.run("/usr/bin/fido2-token -I " + s.bridge->device_path(), &out), 0);
    BOOST_TEST(out.find("FIDO_2_1") != std::string::npos);
    BOOST_TEST(out.find("hmac-secret") != std::string::npos);
    BOOST_TEST(out.find("credMgmt") != std::string::npos);
    BOOST_TEST(out.find("pin retries: 8") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fido2_cred_and_assert_round_trip) {
    if (!have("/usr/bin/fido2-cred") || !have("/usr/bin/fido2-assert")) {
        mfa::test::skip("fido2-cred/fido2-assert are not installed (Debian fido2-tools)");
        return;
    }
    Served s;
    const std::string dev = s.bridge->device_path();
    const Bytes cdh(32, 0x5A);
    const std::string cdh64 = base64_encode(cdh);
    auto in = s.file("cred_in", cdh64 + "\ntools.example\nalice\n" + base64_encode(Bytes{1, 2, 3, 4}) + "\n");
    std::string made;
    BOOST_REQUIRE_EQUAL(s.run("/usr/bin/fido2-cred -M -i " + in.string() + " " + dev + " es256", &made), 0);
    auto cred_lines = lines(made);
    BOOST_REQUIRE_GE(cred_lines.size(), 7u);  // cdh, rp, fmt, authdata, id, sig, x5c
    BOOST_TEST(cred_lines[2] == "packed");
    auto made_file = s.file("cred_out", made);
    std::string verified;
    BOOST_REQUIRE_EQUAL(s.run("/usr/bin/fido2-cred -V -i " + made_file.string() + " es256", &verified), 0);
    auto vlines = lines(verified);
    BOOST_REQUIRE_GE(vlines.size(), 2u);
    const std::string cred_id = vlines[0];
    s.file("pub.pem", verified.substr(verified.find('\n') + 1));

    auto ain = s.file("assert_in", cdh64 + "\ntools.example\n" + cred_id + "\n");
    std::string asserted;
    BOOST_REQUIRE_EQUAL(s.run("/usr/bin/fido2-assert -G -i " + ain.string() + " " + dev, &asserted), 0);
    auto af = s.file("assert_out", asserted);
    BOOST_TEST(s.run("/usr/bin/fido2-assert -V -i " + af.string() + " " + (s.dir / "pub.pem").string() + " es256") == 0);

    // The SDK's client uses the credential fido2-cred made, over the same bridge.
    fido2::Client client;
    auto d = client.open("tty:" + dev);
    BOOST_REQUIRE_MESSAGE(d, (d ? std::string() : d.error().to_string()));
    auto id = base64_decode(cred_id, Base64Mode::standard);
    BOOST_REQUIRE(id);
    fido2::GetAssertionRequest g;
    g.rp_id = "tools.example";
    g.client_data_hash = cdh;
    g.allow = {*id};
    auto as = (*d)->get_assertions(g);
    BOOST_REQUIRE_MESSAGE(as, (as ? std::string() : as.error().to_string()));
    BOOST_TEST(as->front().credential_id == *id);
}

BOOST_AUTO_TEST_CASE(sdk_credentials_verify_in_fido2_tools) {
    if (!have("/usr/bin/fido2-cred") || !have("/usr/bin/fido2-assert")) {
        mfa::test::skip("fido2-cred/fido2-assert are not installed (Debian fido2-tools)");
        return;
    }
    Served s;
    fido2::Client client;
    auto d = client.open("tty:" + s.bridge->device_path());
    BOOST_REQUIRE_MESSAGE(d, (d ? std::string() : d.error().to_string()));
    fido2::MakeCredentialRequest r;
    r.client_data_hash = Bytes(32, 0x33);
    r.rp = {"sdk.example", ""};
    r.user = {Bytes{9, 9}, "sdk", ""};
    auto cred = (*d)->make_credential(r);
    BOOST_REQUIRE_MESSAGE(cred, (cred ? std::string() : cred.error().to_string()));
    // fido2-cred -V takes the authenticator data CBOR-wrapped, as fido2-cred -M prints it.
    auto wrapped = cbor::encode(cbor::Value(ByteView(cred->auth_data)));
    BOOST_REQUIRE(wrapped);
    auto in = s.file("sdk_cred", base64_encode(r.client_data_hash) + "\nsdk.example\n" + cred->fmt + "\n" +
                                     base64_encode(*wrapped) + "\n" + base64_encode(cred->credential_id) + "\n" +
                                     base64_encode(cred->signature) + "\n" + base64_encode(cred->certificate) + "\n");
    std::string out;
    BOOST_REQUIRE_EQUAL(s.run("/usr/bin/fido2-cred -V -i " + in.string() + " es256", &out), 0);
    BOOST_TEST(lines(out).at(0) == base64_encode(cred->credential_id));
}

BOOST_AUTO_TEST_CASE(python_fido2_client) {
    const char* src = std::getenv("MFA_SOURCE_DIR");
    if (!have("/usr/bin/python3") || src == nullptr) {
        mfa::test::skip("/usr/bin/python3 or MFA_SOURCE_DIR is missing");
        return;
    }
    Served s;
    const int rc = s.run(std::string("/usr/bin/python3 ") + src + "/tests/interop/python_fido2_softtoken.py " +
                         s.bridge->device_path());
    if (rc == 77) {
        mfa::test::skip("python3-fido2 is not installed");
        return;
    }
    BOOST_TEST(rc == 0);
    BOOST_TEST(s.token->resident_credential_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
