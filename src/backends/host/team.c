/*
 * team.c - a host device's thread team (see team.h).
 *
 * A region is split into at most size() pieces, and the threads claim pieces from one shared
 * counter: the caller and every helper that is running take the next unclaimed piece until
 * none is left, and the caller then waits only for pieces already being run. Nobody waits
 * for a thread that has not started: in this VM a sleeping (or descheduled) thread takes
 * 20-50 us to run after its wake-up, and with other load on the two CPUs a helper may not
 * run at all for a while, so the caller (or a thread in sync, see pymic2__team_help) runs
 * its pieces instead. Each piece is named by its index, passed as `member`: per-member
 * scratch (reductions) stays private to one piece whichever thread runs it, and the result
 * does not depend on which thread ran what.
 *
 * Helpers spin briefly after a region (the team's spin_ns, PYMIC2_BLOCKTIME) and then sleep
 * on a futex, so back-to-back regions start in about a microsecond while an idle team costs
 * nothing.
 */
#include "team.h"

#include "../../core/internal.h"
#include "../../core/spin.h"
#include "futex.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sleeping helpers are woken for a region whose pieces hold at least this many min_pieces,
 * or when regions come in a series (the previous one started less than WAKE_SERIES_NS
 * ago): min_piece is sized for a spinning helper (about a microsecond to join), and a
 * sleeping one joins 20-50 us after its wake-up here, by when a lone smaller region is
 * over and the wake-up system call was all it added. */
#define WAKE_MIN_PIECES 16
#define WAKE_SERIES_NS ((uint64_t)1000000)

/* The low half of `claims` while a region's job is being written: no piece can be claimed. */
#define CLAIMS_CLOSED UINT32_MAX

struct pymic2__team {
    int size;
    pthread_t *helpers;             /* size - 1 threads: members 1..size-1 */
    pthread_mutex_t region_lock;    /* regions from several streams run one after the other */
    /* the job of the current region, written while `claims` is closed */
    pymic2__range_fn fn;
    void *context;
    int64_t n;
    atomic_int npieces;
    /* region number << 32 | next unclaimed piece; a claim is a compare-and-swap on it, so a
     * thread that read a finished region's state cannot claim a piece of the next one */
    _Atomic uint64_t claims;
    _Atomic uint32_t finished;      /* pieces of the current region done; the caller sleeps on it */
    _Atomic uint32_t generation;    /* bumped per region and at shutdown; helpers sleep on it */
    atomic_int sleeping_helpers;
    atomic_int caller_sleeping;
    atomic_int caller_cpu;          /* where the current region's caller runs */
    uint64_t last_region_ns;        /* when the previous region started */
    uint64_t spin_ns;               /* helpers' spin before they sleep (team config) */
    bool pinned;                    /* helpers are pinned to CPUs chosen by the device */
    cpu_set_t allowed;              /* else they may run on these: the process's CPUs */
    atomic_bool stopping;
};

/* The calling thread's flag (see team.h). */
static _Thread_local atomic_bool *region_flag;
/* True while the thread runs a piece or waits for its region: a nested parallel_for (a
 * piece that calls it again) runs serially instead of waiting for the team it is part of. */
static _Thread_local bool in_region;

void pymic2__team_set_region_flag(atomic_bool *flag)
{
    region_flag = flag;
}

/* Piece i of [0, n) in npieces near-equal contiguous pieces. */
static void piece_bounds(int64_t n, int npieces, int i, int64_t *begin, int64_t *end)
{
    int64_t base = n / npieces, extra = n % npieces;
    *begin = i * base + (i < extra ? i : extra);
    *end = *begin + base + (i < extra ? 1 : 0);
}

/* Claims and runs pieces of the current region until none is left; returns how many ran. */
static int run_claimed_pieces(pymic2__team *team)
{
    int ran = 0;
    uint64_t claims = atomic_load(&team->claims);
    for (;;) {
        uint32_t next = (uint32_t)claims;
        int npieces = atomic_load(&team->npieces);
        if (next == CLAIMS_CLOSED || next >= (uint32_t)npieces)
            return ran;
        if (!atomic_compare_exchange_weak(&team->claims, &claims, claims + 1))
            continue;
        /* the region cannot end before this piece is counted, so its job stays put */
        int64_t begin, end;
        piece_bounds(team->n, npieces, (int)next, &begin, &end);
        team->fn(team->context, begin, end, (int)next);
        ran++;
        if (atomic_fetch_add(&team->finished, 1) + 1 == (uint32_t)npieces &&
            atomic_load(&team->caller_sleeping))
            pymic2__futex_wake_all(&team->finished);
        claims = atomic_load(&team->claims);
    }
}

/*
 * An unpinned helper that finds itself on the CPU of the region's caller leaves it: there it
 * runs only when the caller is preempted, so it helps nobody. The scheduler does not fix
 * this on its own: the wake-up puts a sleeping helper beside its waker, and two always-busy
 * threads (a spinning helper, a caller copying) were seen to share one CPU for seconds while
 * the other idled.
 */
static void leave_caller_cpu(pymic2__team *team)
{
    int mine = sched_getcpu(), caller = atomic_load(&team->caller_cpu);
    if (team->pinned || mine < 0 || mine != caller)
        return;
    cpu_set_t allowed = team->allowed;
    CPU_CLR(mine, &allowed);
    if (CPU_COUNT(&allowed) == 0)
        return;
    /* stays off that CPU until the caller moves where it is: then it moves again */
    sched_setaffinity(0, sizeof allowed, &allowed);
}

static void *helper_main(void *argument)
{
    pymic2__team *team = argument;
    in_region = true;
    uint32_t seen = 0;
    for (;;) {
        if (!PYMIC2__SPIN_UNTIL(atomic_load(&team->generation) != seen, team->spin_ns)) {
            /* pairs with the caller's bump-then-check: one of the two sees the other */
            atomic_fetch_add(&team->sleeping_helpers, 1);
            while (atomic_load(&team->generation) == seen)
                pymic2__futex_wait(&team->generation, seen);
            atomic_fetch_sub(&team->sleeping_helpers, 1);
        }
        seen = atomic_load(&team->generation);
        if (atomic_load(&team->stopping))
            return NULL;
        leave_caller_cpu(team);
        run_claimed_pieces(team);
    }
}

bool pymic2__team_help(pymic2__team *team)
{
    if (in_region)
        return false;
    in_region = true;
    int ran = run_claimed_pieces(team);
    in_region = false;
    return ran > 0;
}

static void stop_helpers(pymic2__team *team, int started)
{
    atomic_store(&team->stopping, true);
    atomic_fetch_add(&team->generation, 1);
    pymic2__futex_wake_all(&team->generation);
    for (int i = 0; i < started; i++)
        pthread_join(team->helpers[i], NULL);
}

/* Starts helper `member`, pinned to cpu when cpu >= 0 (unpinned if the CPU is refused). */
static int start_helper(pymic2__team *team, int member, int cpu)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    int error = pthread_create(&team->helpers[member - 1], &attr, helper_main, team);
    if (error == EINVAL && cpu >= 0) {
        pthread_attr_destroy(&attr);
        pthread_attr_init(&attr);
        error = pthread_create(&team->helpers[member - 1], &attr, helper_main, team);
    }
    pthread_attr_destroy(&attr);
    if (error != 0)
        return pymic2__error(PYMIC2_ESYSTEM, "cannot start team member %d: %s", member,
                             strerror(error));
    char name[16]; /* the kernel's limit for thread names */
    snprintf(name, sizeof name, "pymic2-team%d", member % 1000);
    pthread_setname_np(team->helpers[member - 1], name);
    return PYMIC2_OK;
}

int pymic2__team_create(const pymic2__team_config *config, pymic2__team **team)
{
    if (config->num_threads < 1)
        return pymic2__error(PYMIC2_EINVAL, "a thread team needs at least 1 thread, not %d",
                             config->num_threads);
    pymic2__team *made = calloc(1, sizeof *made);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "cannot allocate a team of %d threads",
                             config->num_threads);
    made->size = config->num_threads;
    made->spin_ns = config->spin_ns;
    made->pinned = config->cpus != NULL;
    if (sched_getaffinity(0, sizeof made->allowed, &made->allowed) != 0)
        made->pinned = true; /* do not move helpers without knowing where they may go */
    made->helpers = calloc((size_t)made->size, sizeof *made->helpers);
    if (made->helpers == NULL) {
        free(made);
        return pymic2__error(PYMIC2_ESYSTEM, "cannot allocate a team of %d threads",
                             config->num_threads);
    }
    pthread_mutex_init(&made->region_lock, NULL);
    for (int member = 1; member < made->size; member++) {
        int status = start_helper(made, member, config->cpus ? config->cpus[member] : -1);
        if (status != PYMIC2_OK) {
            stop_helpers(made, member - 1);
            pthread_mutex_destroy(&made->region_lock);
            free(made->helpers);
            free(made);
            return status;
        }
    }
    *team = made;
    return PYMIC2_OK;
}

void pymic2__team_destroy(pymic2__team *team)
{
    stop_helpers(team, team->size - 1);
    pthread_mutex_destroy(&team->region_lock);
    free(team->helpers);
    free(team);
}

int pymic2__team_size(const pymic2__team *team)
{
    return team->size;
}

/* Runs [0, n) in npieces pieces; wake: whether sleeping helpers are worth waking for. */
static void run_region(pymic2__team *team, int64_t n, int npieces, bool wake,
                       pymic2__range_fn fn, void *context)
{
    if (npieces <= 1 || in_region) {
        fn(context, 0, n, 0);
        return;
    }
    pthread_mutex_lock(&team->region_lock);
    in_region = true;
    if (region_flag != NULL)
        atomic_store(region_flag, true);
    uint64_t region = (atomic_load(&team->claims) >> 32) + 1;
    atomic_store(&team->claims, region << 32 | CLAIMS_CLOSED);
    team->fn = fn;
    team->context = context;
    team->n = n;
    atomic_store(&team->npieces, npieces);
    atomic_store(&team->finished, 0);
    atomic_store(&team->caller_cpu, sched_getcpu());
    atomic_store(&team->claims, region << 32);
    atomic_fetch_add(&team->generation, 1);
    uint64_t start = pymic2__now_ns();
    bool series = start - team->last_region_ns < WAKE_SERIES_NS;
    team->last_region_ns = start;
    if (atomic_load(&team->sleeping_helpers) > 0 && (series || wake))
        pymic2__futex_wake_all(&team->generation);
    run_claimed_pieces(team);
    /* every piece is claimed: wait for the ones other threads are running */
    if (!PYMIC2__SPIN_UNTIL(atomic_load(&team->finished) == (uint32_t)npieces,
                            PYMIC2__SPIN_NS)) {
        atomic_store(&team->caller_sleeping, 1);
        uint32_t finished;
        while ((finished = atomic_load(&team->finished)) != (uint32_t)npieces)
            pymic2__futex_wait(&team->finished, finished);
        atomic_store(&team->caller_sleeping, 0);
    }
    if (region_flag != NULL)
        atomic_store(region_flag, false);
    in_region = false;
    pthread_mutex_unlock(&team->region_lock);
}

void pymic2__team_parallel_for(pymic2__team *team, int64_t n, int64_t min_piece,
                               pymic2__range_fn fn, void *context)
{
    if (n <= 0)
        return;
    if (min_piece < 1)
        min_piece = 1;
    int64_t fitting = n / min_piece;
    int npieces = fitting < team->size ? (int)fitting : team->size;
    run_region(team, n, npieces, npieces > 1 && n / npieces >= WAKE_MIN_PIECES * min_piece, fn,
               context);
}

void pymic2__team_parallel_for_pieces(pymic2__team *team, int64_t n, int npieces,
                                      pymic2__range_fn fn, void *context)
{
    if (n <= 0)
        return;
    run_region(team, n, n < npieces ? (int)n : npieces, true, fn, context);
}

void pymic2__team_parallel_for_large(pymic2__team *team, int64_t n, pymic2__range_fn fn,
                                     void *context)
{
    pymic2__team_parallel_for_pieces(team, n, team->size, fn, context);
}
