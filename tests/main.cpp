// The Boost.Test entry point shared by every component's test executable. A test that could not run
// its part (missing ../shared data, redis-server, a peer tool) calls mfa::test::skip(reason): when
// nothing failed, the program then exits 77, which meson reports as SKIP, instead of 0 (OK).
#define BOOST_TEST_MODULE mfakit
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {
std::vector<std::string>& skips() {
    static std::vector<std::string> s;
    return s;
}
}  // namespace

void mfa::test::skip(const std::string& reason) {
    const std::string where = boost::unit_test::framework::current_test_case().full_name();
    BOOST_TEST_MESSAGE("SKIPPED: " << reason);
    skips().push_back(where + ": " + reason);
}

int main(int argc, char* argv[]) {
    const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
    if (rc != 0 || skips().empty()) return rc;
    for (const auto& s : skips()) std::cout << "SKIPPED: " << s << "\n";
    return 77;
}
