/*
 * Kernels for test_reliability_lifecycle.py: commands that never finish or crash. They run
 * only in child processes (an endless kernel would keep a stream of the test process busy).
 */
#include <pymic_kernel.h>
#include <stdint.h>
#include <time.h>

/* Never returns while *flag is 0 (nothing sets it): a kernel stuck forever, sleeping in
 * 1 ms steps so that it does not take a CPU from the other tests. */
PYMIC_KERNEL void wait_for_flag(const int64_t *flag)
{
    const volatile int64_t *watched = flag;
    while (*watched == 0) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
}

/* Dereferences NULL: a crashing user kernel. */
PYMIC_KERNEL void crash_null(int64_t *unused)
{
    (void)unused;
    volatile int64_t *nowhere = NULL;
    *nowhere = 1;
}
