// Runs a test program next to a throwaway PostgreSQL cluster (tests/pg_server.hpp), for the tests
// that are not C++ (the C ABI tests, the app tests): the program finds the cluster in
//   MFA_TEST_POSTGRES_URL                 postgresql://… over the Unix socket (trust)
//   MFA_TEST_POSTGRES_PASSWORD_URL        over 127.0.0.1 with the role's password
//   MFA_TEST_POSTGRES_WRONG_PASSWORD_URL  the same with a wrong one
// and the cluster is stopped when it exits.   with_postgres PROGRAM [ARGS...]
// Exit: the program's status; 77 (skip) when the cluster cannot run, saying why.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "pg_server.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: with_postgres PROGRAM [ARGS...]\n");
        return 2;
    }
    mfa::test::PgServer pg;
    if (!pg.available()) {
        std::printf("skipped: %s\n", pg.reason().c_str());
        return 77;
    }
    setenv("MFA_TEST_POSTGRES_URL", pg.url().c_str(), 1);
    setenv("MFA_TEST_POSTGRES_PASSWORD_URL", pg.tcp_url(mfa::test::PgServer::kPassword).c_str(), 1);
    setenv("MFA_TEST_POSTGRES_WRONG_PASSWORD_URL", pg.tcp_url("Wr0ngPa55").c_str(), 1);
    return mfa::test::PgServer::run(std::vector<std::string>(argv + 1, argv + argc));
}
