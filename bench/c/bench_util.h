/*
 * bench_util.h - what the C benchmarks share: a monotonic clock, medians of repeated
 * samples, and a check that ends the run with pyMIC2's message on any failure (a benchmark
 * has nothing to recover).
 */
#ifndef PYMIC2_BENCH_UTIL_H
#define PYMIC2_BENCH_UTIL_H

#include "pymic2.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static inline int bench_compare_doubles(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Sorts values in place; the upper median for an even count. */
static inline double bench_median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof *values, bench_compare_doubles);
    return values[count / 2];
}

#define BENCH_CHECK(expr)                                                                 \
    do {                                                                                  \
        if ((expr) != PYMIC2_OK) {                                                        \
            fprintf(stderr, "%s failed: %s\n", #expr, pymic2_last_error());               \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)

#endif
