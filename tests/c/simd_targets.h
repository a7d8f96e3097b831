/*
 * simd_targets.h - for tests that run the host's loops on every SIMD target this CPU runs
 * (loops_dispatch.c): the targets, and selecting one.
 */
#ifndef PYMIC2_TESTS_SIMD_TARGETS_H
#define PYMIC2_TESTS_SIMD_TARGETS_H

#include "check.h"
#include "loops.h"

static const char *const check_simd_targets[] = {"baseline", "avx2", "avx512"};
#define CHECK_SIMD_TARGET_COUNT (sizeof check_simd_targets / sizeof check_simd_targets[0])

/* Selects target for the loops; false, saying why, when this CPU or build cannot run it. */
static inline bool check_select_simd(const char *target)
{
    if (pymic2__host_simd_select(target) != PYMIC2_OK) {
        printf("skipped SIMD target %s: %s\n", target, pymic2_last_error());
        return false;
    }
    CHECK(strcmp(pymic2_simd_target(), target) == 0);
    return true;
}

#endif /* PYMIC2_TESTS_SIMD_TARGETS_H */
