/*
 * check.h - the tiny harness of the C tests.
 *
 *   CHECK(cond)                      counts a pass, or prints file:line, the condition and
 *                                    pymic2_last_error() and counts a failure;
 *   CHECK_STATUS(expr, status)       expr must return exactly status (prints both names);
 *   CHECK_OK(expr)                   CHECK_STATUS(expr, PYMIC2_OK);
 *   CHECK_MESSAGE_HAS(text)          pymic2_last_error() must contain text;
 *   return CHECK_DONE();             prints "N passed, M failed", gives the exit code.
 *
 * A test program is one file with a main(); the counters are static, so include check.h in
 * that file only. check_kernels_path() gives the test kernel library that meson builds
 * (tests/c/kernels/test_kernels.c, passed as PYMIC2_TEST_KERNELS); check_now_ms() reads
 * CLOCK_MONOTONIC, for tests that time a call. check_device_from_args() opens the device a
 * test program is given as its argument (meson's per-device runs), else the default one.
 */
#ifndef PYMIC2_TESTS_CHECK_H
#define PYMIC2_TESTS_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pymic2.h"

static int check__passed;
static int check__failed;

static inline void check__report(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        check__passed++;
        return;
    }
    check__failed++;
    fprintf(stderr, "%s:%d: FAILED: %s\n    last error: %s\n", file, line, what,
            pymic2_last_error());
    fflush(stderr);
}

#define CHECK(cond) check__report(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_STATUS(expr, expected)                                                     \
    do {                                                                                 \
        int check__got = (expr);                                                         \
        int check__want = (expected);                                                    \
        char check__what[512];                                                           \
        snprintf(check__what, sizeof check__what, "%s returned %s, expected %s", #expr,  \
                 pymic2_status_name(check__got), pymic2_status_name(check__want));       \
        check__report(check__got == check__want, __FILE__, __LINE__, check__what);       \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, PYMIC2_OK)

#define CHECK_MESSAGE_HAS(text)                                                          \
    do {                                                                                 \
        char check__what[512];                                                           \
        snprintf(check__what, sizeof check__what, "last error should contain \"%s\"",    \
                 (text));                                                                \
        check__report(strstr(pymic2_last_error(), (text)) != NULL, __FILE__, __LINE__,   \
                      check__what);                                                      \
    } while (0)

#define CHECK_DONE()                                                                     \
    (printf("%d passed, %d failed\n", check__passed, check__failed), fflush(stdout),     \
     check__failed == 0 && check__passed > 0 ? 0 : 1)

static inline double check_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec * 1e-6;
}

static inline const char *check_kernels_path(void)
{
    const char *path = getenv("PYMIC2_TEST_KERNELS");
    if (path == NULL || path[0] == '\0') {
        fprintf(stderr, "PYMIC2_TEST_KERNELS is not set (meson test sets it)\n");
        exit(1);
    }
    return path;
}

/* *device = the device named by argv[1], or the default device without an argument. false
 * when the named device does not exist (printed: the test then exits 77, meson's skip). */
static inline bool check_device_from_args(int argc, char **argv, pymic2_device **device)
{
    if (argc <= 1) {
        CHECK_OK(pymic2_device_default(device));
        return true;
    }
    if (pymic2_device_find(argv[1], device) == PYMIC2_OK)
        return true;
    printf("skipped: no device %s (%s)\n", argv[1], pymic2_last_error());
    return false;
}

#endif /* PYMIC2_TESTS_CHECK_H */
