/* A minimal test harness for the C ABI tests (plain C99, no dependency): CHECK* macros count and
 * report failures with file:line; main returns check_finish(). */
#ifndef MFA_TEST_CHECK_H
#define MFA_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfa/mfa.h"

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        ++check_count;                                                               \
        if (!(cond)) {                                                               \
            ++check_failures;                                                        \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* A call's status, with the library's explanation when it is not the expected one. */
#define CHECK_RC(call, expected)                                                                      \
    do {                                                                                              \
        int check_rc_ = (call);                                                                       \
        ++check_count;                                                                                \
        if (check_rc_ != (expected)) {                                                                \
            ++check_failures;                                                                         \
            fprintf(stderr, "%s:%d: %s returned %d (%s: %s), expected %d (%s)\n", __FILE__, __LINE__, \
                    #call, check_rc_, mfa_strerror(check_rc_), mfa_last_error_message(), (expected),  \
                    mfa_strerror(expected));                                                          \
        }                                                                                             \
    } while (0)

#define CHECK_OK(call) CHECK_RC(call, MFA_OK)

#define CHECK_STR(actual, expected)                                                                 \
    do {                                                                                            \
        const char *check_a_ = (actual), *check_e_ = (expected);                                    \
        ++check_count;                                                                              \
        if (check_a_ == NULL || strcmp(check_a_, check_e_) != 0) {                                  \
            ++check_failures;                                                                       \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual, \
                    check_a_ ? check_a_ : "(null)", check_e_);                                      \
        }                                                                                           \
    } while (0)

/* The last error detail contains `needle` (the field it names). */
/* A secret (a PIN, a password, a token, a key ring) as the (pointer, length) pair the ABI takes:
 * SECRET for a literal, SECRET_STR for a NUL-terminated string (NULL gives NULL, 0). */
#define SECRET(literal) (literal), (sizeof(literal) - 1)
#define SECRET_STR(s) (s), check_secret_len(s)
/* A function, not a ?: in the macro, so an array argument is no "always true" comparison. */
static inline size_t check_secret_len(const char *s) { return s != NULL ? strlen(s) : 0; }

#define CHECK_DETAIL(needle)                                                                   \
    do {                                                                                       \
        const char *check_m_ = mfa_last_error_message();                                       \
        ++check_count;                                                                         \
        if (strstr(check_m_, (needle)) == NULL) {                                              \
            ++check_failures;                                                                  \
            fprintf(stderr, "%s:%d: last error \"%s\" does not mention \"%s\"\n", __FILE__,    \
                    __LINE__, check_m_, (needle));                                             \
        }                                                                                      \
    } while (0)

/* A whole file, NUL-terminated (for the vectors a test reads); NULL when it cannot be read. Free it. */
static inline char *check_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int check_finish(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif /* MFA_TEST_CHECK_H */
