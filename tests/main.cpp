// The Boost.Test entry point shared by every component's test executable. It exits 77 (skipped) when
// every test passed but one of them lacked an input (test::input_missing()).
#define BOOST_TEST_MODULE mfakit
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <cstdio>

#include "test_support.hpp"

int main(int argc, char* argv[]) {
    const int rc = boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
    if (rc == 0 && !mfa::test::input_missing().empty()) {
        std::fprintf(stderr, "skipped: %s\n", mfa::test::input_missing().c_str());
        return 77;
    }
    return rc;
}
