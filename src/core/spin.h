/*
 * spin.h - spin-then-block waiting, shared by the core and the host backend.
 *
 * A waiter that expects the answer within microseconds (a stream worker between commands,
 * sync after a short command, team members between parallel regions) first spins, because
 * a futex or condition-variable sleep and wake-up costs tens of microseconds; after the
 * budget it blocks so that idle threads do not burn the CPUs.
 */
#ifndef PYMIC2_SPIN_H
#define PYMIC2_SPIN_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* After this many rounds (about a microsecond) a spinner yields its CPU at every clock read:
 * with more runnable threads than CPUs, a pure spinner would keep the thread it waits for
 * (a worker, a team member) from running. */
#define PYMIC2__SPIN_ROUNDS_BEFORE_YIELD 1024u

/* How long a stream worker or team member spins for its next job before it blocks, by
 * default (PYMIC2_BLOCKTIME_US sets it per host device): long enough to bridge the host-side
 * work (Python, a memcpy) between two commands, like the block times of OpenMP runtimes. */
#define PYMIC2__SPIN_NS ((uint64_t)200000)
/* How long sync spins for a command to finish once it has nothing to help with (it yields
 * at every clock read during parallel regions, see pymic2_stream.saturated). */
#define PYMIC2__SYNC_SPIN_NS ((uint64_t)50000)

static inline void pymic2__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline uint64_t pymic2__now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* Evaluates cond until it holds (the value is true) or about budget_ns passed (false).
 * The clock is read every 64 rounds only: a clock read costs more than a round. */
#define PYMIC2__SPIN_UNTIL(cond, budget_ns)                                     \
    ({                                                                         \
        bool spin_held_ = false;                                               \
        uint64_t spin_deadline_ = 0;                                           \
        for (unsigned spin_round_ = 1;; spin_round_++) {                       \
            if (cond) {                                                        \
                spin_held_ = true;                                             \
                break;                                                         \
            }                                                                  \
            if ((spin_round_ & 63) == 0) {                                     \
                uint64_t spin_now_ = pymic2__now_ns();                         \
                if (spin_deadline_ == 0)                                       \
                    spin_deadline_ = spin_now_ + (budget_ns);                  \
                else if (spin_now_ >= spin_deadline_)                          \
                    break;                                                     \
                if (spin_round_ >= PYMIC2__SPIN_ROUNDS_BEFORE_YIELD)           \
                    sched_yield();                                             \
            }                                                                  \
            pymic2__cpu_relax();                                               \
        }                                                                      \
        spin_held_;                                                            \
    })

#endif /* PYMIC2_SPIN_H */
