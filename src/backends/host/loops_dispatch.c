/*
 * loops_dispatch.c - picks the SIMD target whose loops run (loops.c and reduce_loops.c are
 * compiled once per target): the best this CPU supports, or PYMIC2_SIMD's choice.
 */
#include "loops.h"

#include "../../core/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct simd_target {
    const char *name;
    int (*supported)(void);
    pymic2__loop_fn (*loop_find)(pymic2_op, pymic2_dtype, pymic2_dtype);
    const pymic2__reduce_kernels *(*reduce_find)(pymic2_reduction, pymic2_dtype);
} simd_target;

#define PYMIC2__DECLARE_TARGET(target)                                                     \
    pymic2__loop_fn pymic2__host_loop_find_##target(pymic2_op op, pymic2_dtype input,       \
                                                    pymic2_dtype output);                  \
    const pymic2__reduce_kernels *pymic2__host_reduce_find_##target(                       \
        pymic2_reduction reduction, pymic2_dtype input);

static int always(void)
{
    return 1;
}

PYMIC2__DECLARE_TARGET(baseline)
#if defined(__x86_64__)
PYMIC2__DECLARE_TARGET(avx2)
PYMIC2__DECLARE_TARGET(avx512)

/* x86-64-v3 and v4, as gcc's -march levels define them */
static int has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi2");
}

static int has_avx512(void)
{
    return has_avx2() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}
#endif

/* Best first. */
static const simd_target targets[] = {
#if defined(__x86_64__)
    {"avx512", has_avx512, pymic2__host_loop_find_avx512, pymic2__host_reduce_find_avx512},
    {"avx2", has_avx2, pymic2__host_loop_find_avx2, pymic2__host_reduce_find_avx2},
#endif
    {"baseline", always, pymic2__host_loop_find_baseline, pymic2__host_reduce_find_baseline},
};
#define NUM_TARGETS (sizeof targets / sizeof targets[0])

static const simd_target *_Atomic selected;
static pthread_once_t select_once = PTHREAD_ONCE_INIT;

/* PYMIC2_SIMD if it names a target this CPU runs, else the best one. */
static void select_default(void)
{
    const char *wanted = getenv("PYMIC2_SIMD");
    const simd_target *choice = NULL;
    for (size_t t = 0; t < NUM_TARGETS && wanted != NULL && choice == NULL; t++)
        if (strcmp(targets[t].name, wanted) == 0 && targets[t].supported())
            choice = &targets[t];
    for (size_t t = 0; t < NUM_TARGETS && choice == NULL; t++)
        if (targets[t].supported())
            choice = &targets[t];
    selected = choice;
}

static const simd_target *current(void)
{
    pthread_once(&select_once, select_default);
    return selected;
}

int pymic2__host_simd_select(const char *name)
{
    pthread_once(&select_once, select_default);
    for (size_t t = 0; t < NUM_TARGETS; t++) {
        if (name == NULL || strcmp(targets[t].name, name) != 0)
            continue;
        if (!targets[t].supported())
            return pymic2__error(PYMIC2_ENOTSUP, "host: this CPU cannot run the %s loops", name);
        selected = &targets[t];
        return PYMIC2_OK;
    }
    return pymic2__error(PYMIC2_EINVAL, "host: no SIMD target named \"%s\" in this build "
                         "(baseline, avx2, avx512 on x86-64)", name ? name : "(null)");
}

const char *pymic2_simd_target(void)
{
    return current()->name;
}

pymic2__loop_fn pymic2__host_loop_find(pymic2_op op, pymic2_dtype input, pymic2_dtype output)
{
    return current()->loop_find(op, input, output);
}

const pymic2__reduce_kernels *pymic2__host_reduce_find(pymic2_reduction reduction,
                                                       pymic2_dtype input)
{
    return current()->reduce_find(reduction, input);
}
