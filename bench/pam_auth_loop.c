/* The module's own time per authentication: pam_start, pam_authenticate, pam_end in one process for
 * each "user code" line of CODES_FILE, the conversation answering every prompt with that line's code.
 * Run under pam_wrapper (bench/pam_logins.py sets LD_PRELOAD and PAM_WRAPPER_SERVICE_DIR), so SERVICE
 * is a file of the benchmark's service directory. Each user logs in once: a replay guard refuses the
 * same code twice, so a loop over one user would measure refusals.
 *
 * Prints one JSON line: {"logins":N,"accepted":A,"seconds":S,"mean_us":M,"median_us":D,"per_second":R}.
 * Exit 1 when a line is malformed or pam_start fails. */
// strdup and clock_gettime are POSIX, not C99 (the project builds C as -std=c99).
#define _POSIX_C_SOURCE 200809L

#include <security/pam_appl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kMaxLogins = 100000 };

static int answer_prompts(int n, const struct pam_message** msg, struct pam_response** resp, void* code) {
    struct pam_response* r = calloc((size_t)n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
            r[i].resp = strdup((const char*)code);
            if (r[i].resp == NULL) {
                for (int j = 0; j < i; ++j) free(r[j].resp);
                free(r);
                return PAM_BUF_ERR;
            }
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SERVICE CODES_FILE  (lines \"user code\")\n", argv[0]);
        return 2;
    }
    FILE* in = fopen(argv[2], "r");
    if (in == NULL) {
        perror(argv[2]);
        return 1;
    }
    static double took[kMaxLogins];
    char user[256], code[64];
    int n = 0, accepted = 0;
    double total = 0;
    int fields;
    while (n < kMaxLogins && (fields = fscanf(in, "%255s %63s", user, code)) == 2) {
        struct pam_conv conv = {answer_prompts, code};
        pam_handle_t* pamh = NULL;
        const double start = now_us();
        int rc = pam_start(argv[1], user, &conv, &pamh);
        if (rc != PAM_SUCCESS) {
            fprintf(stderr, "pam_start(%s, %s): %s\n", argv[1], user, pam_strerror(pamh, rc));
            fclose(in);
            return 1;
        }
        rc = pam_authenticate(pamh, PAM_SILENT);
        pam_end(pamh, rc);
        took[n] = now_us() - start;
        total += took[n];
        accepted += rc == PAM_SUCCESS;
        ++n;
    }
    const int malformed = fields != EOF && n < kMaxLogins;
    fclose(in);
    if (malformed) {
        fprintf(stderr, "%s: line %d is not \"user code\"\n", argv[2], n + 1);
        return 1;
    }
    if (n == 0) {
        fprintf(stderr, "%s: no logins\n", argv[2]);
        return 1;
    }
    qsort(took, (size_t)n, sizeof took[0], by_value);
    printf("{\"logins\":%d,\"accepted\":%d,\"seconds\":%.6f,\"mean_us\":%.1f,\"median_us\":%.1f,\"per_second\":%.1f}\n", n,
           accepted, total / 1e6, total / n, took[n / 2], n / (total / 1e6));
    return 0;
}
