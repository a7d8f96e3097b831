/*
 * wait.c - bounded waits on CLOCK_MONOTONIC, for the stream and event waits that take a
 * timeout (a wall-clock jump must neither shorten nor stretch them).
 */
#include "core.h"
#include "spin.h"

#include <errno.h>
#include <math.h>
#include <time.h>

void pymic2__cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

uint64_t pymic2__deadline_ns(double timeout_ms)
{
    if (!(timeout_ms >= 0) || timeout_ms >= 1e12) /* negative, NaN or centuries: no limit */
        return PYMIC2__NO_DEADLINE;
    return pymic2__now_ns() + (uint64_t)llround(timeout_ms * 1e6);
}

bool pymic2__cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, uint64_t deadline_ns)
{
    if (deadline_ns == PYMIC2__NO_DEADLINE) {
        pthread_cond_wait(cond, mutex);
        return true;
    }
    struct timespec until = {(time_t)(deadline_ns / 1000000000u),
                             (long)(deadline_ns % 1000000000u)};
    return pthread_cond_timedwait(cond, mutex, &until) != ETIMEDOUT;
}
