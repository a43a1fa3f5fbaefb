/* mfa_free wipes what it frees: this program interposes free() (the library's calls to it resolve
 * to the executable's definition first) and looks at each block the library returns to the heap
 * just before it goes. Secret outputs of both allocation paths (JSON text, a QR rendering) must be
 * all zero by then, header included. A pointer the library did not hand out aborts the process.
 * Not built under ASan, whose allocator owns free(). */
#define _GNU_SOURCE
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern void __libc_free(void *p);

/* The block mfa_free is about to release (the header before the caller's pointer) and its size. */
static const unsigned char *watched;
static size_t watched_len;
static int watched_seen, watched_nonzero;

void free(void *p) {
    if (p != NULL && p == watched) {
        size_t i;
        watched_seen = 1;
        for (i = 0; i < watched_len; ++i)
            if (watched[i] != 0) watched_nonzero = 1;
    }
    __libc_free(p);
}

/* The header mfa_free records before each block: a multiple of max_align_t's alignment (C99 has
 * no _Alignof: the offset after a char in a struct of the most aligned types is the same). */
struct align_probe {
    char c;
    union {
        long double ld;
        long long ll;
        void *p;
    } u;
};

static size_t header_size(void) {
    size_t a = offsetof(struct align_probe, u);
    size_t h = sizeof(uint64_t) + sizeof(size_t);
    return (h + a - 1) / a * a;
}

static void expect_wiped_on_free(void *p, size_t n) {
    watched = (const unsigned char *)p - header_size();
    watched_len = header_size() + n;
    watched_seen = watched_nonzero = 0;
    mfa_free(p);
    CHECK(watched_seen);
    CHECK(!watched_nonzero);
    watched = NULL;
}

static void test_json_is_wiped(void) {
    char *ring = NULL;
    size_t n;
    CHECK_OK(mfa_server_keyring_generate(&ring));
    CHECK(ring != NULL && ring[0] != '\0');
    n = strlen(ring) + 1;
    expect_wiped_on_free(ring, n);
}

static void test_qr_rendering_is_wiped(void) {
    static const char uri[] = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    uint8_t *png = NULL;
    char *svg = NULL;
    size_t len = 0;
    CHECK_OK(mfa_qr_png(&png, &len, uri, sizeof uri - 1, NULL));
    CHECK(len > 8 && memcmp(png, "\x89PNG", 4) == 0);
    expect_wiped_on_free(png, len + 1);
    CHECK_OK(mfa_qr_svg(&svg, &len, uri, sizeof uri - 1, NULL));
    expect_wiped_on_free(svg, len + 1);
}

static void test_null_and_foreign_pointers(void) {
    pid_t pid;
    int status = 0;
    mfa_free(NULL);
    pid = fork();
    if (pid == 0) {
        char *mine = malloc(64);
        memset(mine, 'x', 64);
        mfa_free(mine + 32); /* not a block of the library */
        _exit(0);
    }
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void) {
    test_json_is_wiped();
    test_qr_rendering_is_wiped();
    test_null_and_foreign_pointers();
    return check_finish("c_api free_wipes");
}
