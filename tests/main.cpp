// The Boost.Test entry point shared by every component's test executable.
#define BOOST_TEST_MODULE mfakit
#include <boost/test/unit_test.hpp>
