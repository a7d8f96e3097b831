/*
 * futex.h - blocking on a 32-bit atomic word (Linux futex), for the spin-then-block waits of
 * the host backend: cheaper than a mutex plus condition variable because the waker needs no
 * lock, and it wakes only when the word really changed.
 */
#ifndef PYMIC2_HOST_FUTEX_H
#define PYMIC2_HOST_FUTEX_H

#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Sleeps while *word == expected (returns at once if it differs; may wake spuriously). */
static inline void pymic2__futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static inline void pymic2__futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

#endif /* PYMIC2_HOST_FUTEX_H */
