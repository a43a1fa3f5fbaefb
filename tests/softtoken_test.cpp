// The soft token below the client: CTAPHID framing (every error the specification names) and
// CTAP2 requests sent as raw CBOR.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "../lib/softtoken/ctaphid.hpp"
#include "mfa/cbor.hpp"
#include "mfa/softtoken.hpp"
#include "test_support.hpp"

using namespace mfa;
using namespace mfa::softtoken;
using Clock = std::chrono::steady_clock;

namespace {

Report init_packet(std::uint32_t cid, std::uint8_t cmd, ByteView payload) {
    Report r{};
    r[0] = static_cast<std::uint8_t>(cid >> 24);
    r[1] = static_cast<std::uint8_t>(cid >> 16);
    r[2] = static_cast<std::uint8_t>(cid >> 8);
    r[3] = static_cast<std::uint8_t>(cid);
    r[4] = cmd;
    r[5] = static_cast<std::uint8_t>(payload.size() >> 8);
    r[6] = static_cast<std::uint8_t>(payload.size());
    std::copy_n(payload.begin(), std::min<std::size_t>(payload.size(), 57), r.begin() + 7);
    return r;
}

Report cont_packet(std::uint32_t cid, std::uint8_t seq, ByteView payload) {
    Report r{};
    r[0] = static_cast<std::uint8_t>(cid >> 24);
    r[1] = static_cast<std::uint8_t>(cid >> 16);
    r[2] = static_cast<std::uint8_t>(cid >> 8);
    r[3] = static_cast<std::uint8_t>(cid);
    r[4] = seq;
    std::copy_n(payload.begin(), std::min<std::size_t>(payload.size(), 59), r.begin() + 5);
    return r;
}

std::uint8_t error_of(CtapHid& h) {
    auto r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_REQUIRE_EQUAL((*r)[4], hid::kError);
    return (*r)[7];
}

std::uint32_t do_init(CtapHid& h) {
    const std::uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    BOOST_REQUIRE(!h.feed(init_packet(hid::kBroadcastCid, hid::kInit, nonce), Clock::now()));
    auto r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_REQUIRE_EQUAL(CtapHid::read_cid(*r), hid::kBroadcastCid);
    BOOST_REQUIRE_EQUAL((*r)[4], hid::kInit);
    BOOST_REQUIRE_EQUAL((*r)[6], 17);
    BOOST_REQUIRE(std::equal(nonce, nonce + 8, r->begin() + 7));
    return CtapHid::read_cid(ByteView(*r).subspan(15, 4));
}

std::filesystem::path temp_file(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("mfa-softtoken-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto p = dir / name;
    std::filesystem::remove(p);
    return p;
}

Bytes request(std::uint8_t cmd, const cbor::Value* params = nullptr) {
    Bytes b{cmd};
    if (params) {
        auto e = cbor::encode(*params);
        BOOST_REQUIRE(e);
        b.insert(b.end(), e->begin(), e->end());
    }
    return b;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(softtoken)

BOOST_AUTO_TEST_CASE(ctaphid_init_allocates_channels_and_echoes_nonce) {
    CtapHid h;
    const auto a = do_init(h);
    const auto b = do_init(h);
    BOOST_TEST(a != b);
    BOOST_TEST(a != 0u);
    BOOST_TEST(a != hid::kBroadcastCid);
    // INIT on an allocated channel resynchronises it and keeps the CID.
    const std::uint8_t nonce[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    BOOST_REQUIRE(!h.feed(init_packet(a, hid::kInit, nonce), Clock::now()));
    auto r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_TEST(CtapHid::read_cid(*r) == a);
    BOOST_TEST(CtapHid::read_cid(ByteView(*r).subspan(15, 4)) == a);
    BOOST_TEST(((*r)[23] & hid::kCapCbor) != 0);
    BOOST_TEST(((*r)[23] & hid::kCapNmsg) != 0);
}

BOOST_AUTO_TEST_CASE(ctaphid_ping_spans_continuation_packets) {
    CtapHid h;
    const auto cid = do_init(h);
    Bytes payload(300);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
    const auto now = Clock::now();
    BOOST_REQUIRE(!h.feed(init_packet(cid, hid::kPing, payload), now));
    std::size_t off = 57;
    for (std::uint8_t seq = 0; off < payload.size(); ++seq, off += 59)
        BOOST_REQUIRE(!h.feed(cont_packet(cid, seq, ByteView(payload).subspan(off)), now));
    Bytes echoed;
    auto first = h.pop();
    BOOST_REQUIRE(first);
    BOOST_TEST((*first)[4] == hid::kPing);
    BOOST_TEST(((std::size_t{(*first)[5]} << 8) | (*first)[6]) == payload.size());
    echoed.insert(echoed.end(), first->begin() + 7, first->end());
    for (std::uint8_t seq = 0; auto r = h.pop(); ++seq) {
        BOOST_TEST((*r)[4] == seq);
        echoed.insert(echoed.end(), r->begin() + 5, r->end());
    }
    echoed.resize(payload.size());
    BOOST_TEST(echoed == payload);
}

BOOST_AUTO_TEST_CASE(ctaphid_channel_errors) {
    CtapHid h;
    const std::uint8_t one = 0;
    h.feed(init_packet(hid::kBroadcastCid, hid::kPing, {}), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidChannel);
    h.feed(init_packet(0, hid::kInit, Bytes(8)), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidChannel);
    h.feed(init_packet(0x12345678, hid::kCbor, {&one, 1}), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidChannel);
}

BOOST_AUTO_TEST_CASE(ctaphid_length_sequence_and_command_errors) {
    CtapHid h;
    const auto cid = do_init(h);
    h.feed(init_packet(hid::kBroadcastCid, hid::kInit, Bytes(7)), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidLen);
    Report big = init_packet(cid, hid::kPing, {});
    big[5] = 0xFF;
    big[6] = 0xFF;
    h.feed(big, Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidLen);
    h.feed(init_packet(cid, hid::kCbor, {}), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidLen);

    Bytes payload(100, 0xAB);
    h.feed(init_packet(cid, hid::kPing, payload), Clock::now());
    h.feed(cont_packet(cid, 1, payload), Clock::now());  // expected seq 0
    BOOST_TEST(error_of(h) == hid::kErrInvalidSeq);
    // A stray continuation is ignored.
    h.feed(cont_packet(cid, 0, payload), Clock::now());
    BOOST_TEST(!h.has_output());

    h.feed(init_packet(cid, hid::kMsg, Bytes(10)), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidCmd);
    h.feed(init_packet(cid, 0xC1, {}), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidCmd);
}

BOOST_AUTO_TEST_CASE(ctaphid_busy_and_timeout) {
    CtapHid h;
    const auto a = do_init(h);
    const auto b = do_init(h);
    Bytes payload(100, 1);
    const auto t0 = Clock::now();
    h.feed(init_packet(a, hid::kPing, payload), t0);
    h.feed(init_packet(b, hid::kPing, {}), t0);
    BOOST_TEST(error_of(h) == hid::kErrChannelBusy);
    h.tick(t0 + std::chrono::milliseconds(600));
    BOOST_TEST(error_of(h) == hid::kErrMsgTimeout);
    // After the timeout the engine serves b again.
    h.feed(init_packet(b, hid::kPing, {}), t0 + std::chrono::milliseconds(601));
    auto r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_TEST((*r)[4] == hid::kPing);

    // A running CBOR request makes other channels busy until complete().
    const std::uint8_t getinfo = 0x04;
    auto req = h.feed(init_packet(a, hid::kCbor, {&getinfo, 1}), t0);
    BOOST_REQUIRE(req);
    BOOST_TEST(h.busy());
    h.feed(init_packet(b, hid::kPing, {}), t0);
    BOOST_TEST(error_of(h) == hid::kErrChannelBusy);
    h.feed(init_packet(a, hid::kCancel, {}), t0);
    BOOST_TEST(h.cancel_requested());
    BOOST_TEST(!h.has_output());  // CANCEL is never answered
    const std::uint8_t status = 0x2D;
    h.complete({&status, 1});
    r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_TEST((*r)[4] == hid::kCbor);
    BOOST_TEST((*r)[7] == 0x2D);
}

BOOST_AUTO_TEST_CASE(ctaphid_wink_and_lock) {
    CtapHid h;
    const auto a = do_init(h);
    const auto b = do_init(h);
    h.feed(init_packet(a, hid::kWink, {}), Clock::now());
    auto r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_TEST((*r)[4] == hid::kWink);
    BOOST_TEST(h.winks() == 1u);
    const std::uint8_t eleven = 11, two = 2, zero = 0;
    h.feed(init_packet(a, hid::kLock, {&eleven, 1}), Clock::now());
    BOOST_TEST(error_of(h) == hid::kErrInvalidPar);
    const auto t0 = Clock::now();
    h.feed(init_packet(a, hid::kLock, {&two, 1}), t0);
    BOOST_REQUIRE(h.pop());
    h.feed(init_packet(b, hid::kPing, {}), t0);
    BOOST_TEST(error_of(h) == hid::kErrChannelBusy);
    h.feed(init_packet(b, hid::kPing, {}), t0 + std::chrono::seconds(3));  // the lock expired
    BOOST_REQUIRE(h.pop());
    h.feed(init_packet(a, hid::kLock, {&two, 1}), t0);
    BOOST_REQUIRE(h.pop());
    h.feed(init_packet(a, hid::kLock, {&zero, 1}), t0);  // released
    BOOST_REQUIRE(h.pop());
    h.feed(init_packet(b, hid::kPing, {}), t0);
    r = h.pop();
    BOOST_REQUIRE(r);
    BOOST_TEST((*r)[4] == hid::kPing);
}

BOOST_AUTO_TEST_CASE(ctap2_getinfo_and_bad_requests) {
    Options o;
    o.synchronous = true;
    auto tok = SoftToken::in_memory(o);
    BOOST_REQUIRE(tok);
    Bytes info = (*tok)->process_cbor(request(0x04));
    BOOST_REQUIRE(!info.empty());
    BOOST_TEST(info[0] == 0);
    auto v = cbor::decode(ByteView(info).subspan(1));
    BOOST_REQUIRE(v);
    auto aaguid = v->get_bytes(3);
    BOOST_REQUIRE(aaguid);
    const auto expect = (*tok)->aaguid();
    BOOST_TEST(std::equal(aaguid->begin(), aaguid->end(), expect.begin(), expect.end()));

    BOOST_TEST((*tok)->process_cbor(Bytes{0x55})[0] == 0x01);              // unknown command
    BOOST_TEST((*tok)->process_cbor(Bytes{0x01})[0] == 0x14);              // MakeCredential, no parameters
    BOOST_TEST((*tok)->process_cbor(Bytes{0x01, 0xA1})[0] == 0x12);        // truncated map
    BOOST_TEST((*tok)->process_cbor(Bytes{0x01, 0x80})[0] == 0x11);        // array, not a map
    BOOST_TEST((*tok)->process_cbor(Bytes{0x02, 0xA2, 0x02, 0x40, 0x01, 0x60})[0] == 0x12);  // keys out of order
    cbor::Value mc_missing(cbor::Map{{1, Bytes(32)}, {2, cbor::Map{{"id", "example.com"}}}});
    BOOST_TEST((*tok)->process_cbor(request(0x01, &mc_missing))[0] == 0x14);
    cbor::Value mc_type(cbor::Map{{1, "not bytes"}});
    BOOST_TEST((*tok)->process_cbor(request(0x01, &mc_type))[0] == 0x11);
    cbor::Value mc_alg(cbor::Map{{1, Bytes(32)},
                                 {2, cbor::Map{{"id", "example.com"}}},
                                 {3, cbor::Map{{"id", Bytes{1}}}},
                                 {4, cbor::Array{cbor::Map{{"alg", -257}, {"type", "public-key"}}}}});
    BOOST_TEST((*tok)->process_cbor(request(0x01, &mc_alg))[0] == 0x26);
    BOOST_TEST((*tok)->process_cbor(request(0x08))[0] == 0x30);  // GetNextAssertion without GetAssertion
    cbor::Value pin_bad(cbor::Map{{1, 3}, {2, 2}});
    BOOST_TEST((*tok)->process_cbor(request(0x06, &pin_bad))[0] == 0x02);  // PIN protocol 3
    cbor::Value cm_unauth(cbor::Map{{1, 1}});
    BOOST_TEST((*tok)->process_cbor(request(0x0A, &cm_unauth))[0] == 0x36);
    BOOST_TEST((*tok)->process_cbor(request(0x41, &cm_unauth))[0] == 0x36);
    BOOST_TEST((*tok)->process_cbor(Bytes(3000, 0x01))[0] == 0x39);
}

BOOST_AUTO_TEST_CASE(hid_cancel_while_waiting_for_presence) {
    Options o;
    o.presence = Presence::timeout;
    o.presence_timeout = std::chrono::seconds(5);
    auto tok = SoftToken::in_memory(o);
    BOOST_REQUIRE(tok);
    auto& t = **tok;
    const std::uint8_t nonce[8] = {};
    t.write_report(init_packet(hid::kBroadcastCid, hid::kInit, nonce));
    auto r = t.read_report(std::chrono::seconds(1));
    BOOST_REQUIRE(r);
    const auto cid = CtapHid::read_cid(ByteView(*r).subspan(15, 4));
    const std::uint8_t selection = 0x0B;
    const auto start = Clock::now();
    t.write_report(init_packet(cid, hid::kCbor, {&selection, 1}));
    r = t.read_report(std::chrono::seconds(1));
    BOOST_REQUIRE(r);
    BOOST_TEST((*r)[4] == hid::kKeepalive);
    BOOST_TEST((*r)[7] == hid::kStatusUpNeeded);
    t.write_report(init_packet(cid, hid::kCancel, {}));
    for (;;) {
        r = t.read_report(std::chrono::seconds(2));
        BOOST_REQUIRE(r);
        if ((*r)[4] != hid::kKeepalive) break;
    }
    BOOST_TEST((*r)[4] == hid::kCbor);
    BOOST_TEST((*r)[7] == 0x2D);
    BOOST_TEST((Clock::now() - start < std::chrono::seconds(3)));
}

BOOST_AUTO_TEST_CASE(presence_timeout_and_deny) {
    Options o;
    o.presence = Presence::timeout;
    o.presence_timeout = std::chrono::milliseconds(150);
    auto tok = SoftToken::in_memory(o);
    BOOST_REQUIRE(tok);
    auto& t = **tok;
    const std::uint8_t nonce[8] = {};
    t.write_report(init_packet(hid::kBroadcastCid, hid::kInit, nonce));
    auto r = t.read_report(std::chrono::seconds(1));
    BOOST_REQUIRE(r);
    const auto cid = CtapHid::read_cid(ByteView(*r).subspan(15, 4));
    const std::uint8_t selection = 0x0B;
    t.write_report(init_packet(cid, hid::kCbor, {&selection, 1}));
    do {
        r = t.read_report(std::chrono::seconds(2));
        BOOST_REQUIRE(r);
    } while ((*r)[4] == hid::kKeepalive);
    BOOST_TEST((*r)[7] == 0x2F);
    t.set_presence(Presence::deny);
    BOOST_TEST(t.process_cbor(Bytes{0x0B})[0] == 0x27);
    t.set_presence(Presence::approve);
    BOOST_TEST(t.process_cbor(Bytes{0x0B})[0] == 0x00);
}

BOOST_AUTO_TEST_CASE(state_file_is_private_and_reloads) {
    const auto path = temp_file("state.cbor");
    std::array<std::uint8_t, 16> aaguid{};
    {
        auto tok = SoftToken::open(path);
        BOOST_REQUIRE(tok);
        aaguid = (*tok)->aaguid();
    }
    struct stat st{};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    auto again = SoftToken::open(path);
    BOOST_REQUIRE(again);
    BOOST_TEST(((*again)->aaguid() == aaguid));
    // No temporary files are left beside it.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path.parent_path())) ++entries;
    BOOST_TEST(entries == 1u);
}

BOOST_AUTO_TEST_CASE(state_file_rejects_garbage) {
    const auto path = temp_file("garbage.cbor");
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        BOOST_REQUIRE(f);
        std::fputs("not cbor at all", f);
        std::fclose(f);
    }
    auto tok = SoftToken::open(path);
    BOOST_REQUIRE(!tok);
    BOOST_TEST(tok.code() == Errc::softtoken_state_invalid);
    cbor::Value wrong(cbor::Map{{1, 7}});
    auto enc = cbor::encode(wrong);
    BOOST_REQUIRE(enc);
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        std::fwrite(enc->data(), 1, enc->size(), f);
        std::fclose(f);
    }
    tok = SoftToken::open(path);
    BOOST_TEST(tok.code() == Errc::softtoken_state_invalid);
}

BOOST_AUTO_TEST_CASE(seeded_tokens_are_reproducible) {
    Options o;
    o.seed = 42;
    auto a = SoftToken::in_memory(o);
    auto b = SoftToken::in_memory(o);
    BOOST_REQUIRE(a && b);
    BOOST_TEST(((*a)->aaguid() == (*b)->aaguid()));
    o.seed = 43;
    auto c = SoftToken::in_memory(o);
    BOOST_REQUIRE(c);
    BOOST_TEST(((*a)->aaguid() != (*c)->aaguid()));
}

BOOST_AUTO_TEST_SUITE_END()
