/*
 * team.c - a host device's thread team (see team.h).
 *
 * One region at a time: the caller publishes the job, bumps `generation` and runs piece 0;
 * every helper then runs its piece (or none) and counts down `remaining`. All helpers count
 * down, even those without a piece, so that none can still be reading the job when the
 * next region overwrites it. Helpers and the caller spin briefly and then sleep on a futex,
 * so back-to-back regions start in about a microsecond while an idle team costs nothing.
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

struct pymic2__team {
    int size;
    pthread_t *helpers;             /* size - 1 threads: members 1..size-1 */
    pthread_mutex_t region_lock;    /* regions from several streams run one after the other */
    /* the job of the current region, written before generation is bumped */
    pymic2__range_fn fn;
    void *context;
    int64_t n;
    int npieces;
    _Atomic uint32_t generation;    /* bumped per region and at shutdown; helpers sleep on it */
    _Atomic uint32_t remaining;     /* helpers not done with the region; the caller sleeps on it */
    atomic_int sleeping_helpers;
    atomic_int caller_sleeping;
    atomic_bool stopping;
};

/* The calling thread's flag (see team.h). */
static _Thread_local atomic_bool *region_flag;
/* True on helpers and on a caller inside a region: a nested parallel_for (a piece that
 * calls it again) runs serially instead of waiting for the team it is part of. */
static _Thread_local bool in_region;

void pymic2__team_set_region_flag(atomic_bool *flag)
{
    region_flag = flag;
}

typedef struct helper_start {
    pymic2__team *team;
    int member;
} helper_start;

/* Piece i of [0, n) in npieces near-equal contiguous pieces. */
static void piece_bounds(int64_t n, int npieces, int i, int64_t *begin, int64_t *end)
{
    int64_t base = n / npieces, extra = n % npieces;
    *begin = i * base + (i < extra ? i : extra);
    *end = *begin + base + (i < extra ? 1 : 0);
}

static void run_piece(pymic2__team *team, int member)
{
    if (member >= team->npieces)
        return;
    int64_t begin, end;
    piece_bounds(team->n, team->npieces, member, &begin, &end);
    team->fn(team->context, begin, end, member);
}

static void *helper_main(void *argument)
{
    helper_start start = *(helper_start *)argument;
    free(argument);
    in_region = true;
    pymic2__team *team = start.team;
    uint32_t seen = 0;
    for (;;) {
        if (!PYMIC2__SPIN_UNTIL(atomic_load(&team->generation) != seen, PYMIC2__SPIN_NS)) {
            /* pairs with the caller's bump-then-check: one of the two sees the other */
            atomic_fetch_add(&team->sleeping_helpers, 1);
            while (atomic_load(&team->generation) == seen)
                pymic2__futex_wait(&team->generation, seen);
            atomic_fetch_sub(&team->sleeping_helpers, 1);
        }
        seen = atomic_load(&team->generation);
        if (atomic_load(&team->stopping))
            return NULL;
        run_piece(team, start.member);
        if (atomic_fetch_sub(&team->remaining, 1) == 1 && atomic_load(&team->caller_sleeping))
            pymic2__futex_wake_all(&team->remaining);
    }
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
    helper_start *start = malloc(sizeof *start);
    if (start == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "cannot allocate the start of team member %d",
                             member);
    start->team = team;
    start->member = member;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    int error = pthread_create(&team->helpers[member - 1], &attr, helper_main, start);
    if (error == EINVAL && cpu >= 0) {
        pthread_attr_destroy(&attr);
        pthread_attr_init(&attr);
        error = pthread_create(&team->helpers[member - 1], &attr, helper_main, start);
    }
    pthread_attr_destroy(&attr);
    if (error != 0) {
        free(start);
        return pymic2__error(PYMIC2_ESYSTEM, "cannot start team member %d: %s", member,
                             strerror(error));
    }
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

void pymic2__team_parallel_for(pymic2__team *team, int64_t n, int64_t min_piece,
                               pymic2__range_fn fn, void *context)
{
    if (n <= 0)
        return;
    if (min_piece < 1)
        min_piece = 1;
    int64_t fitting = n / min_piece;
    int npieces = fitting < team->size ? (int)fitting : team->size;
    if (npieces <= 1 || in_region) {
        fn(context, 0, n, 0);
        return;
    }
    pthread_mutex_lock(&team->region_lock);
    in_region = true;
    if (region_flag != NULL)
        atomic_store(region_flag, true);
    team->fn = fn;
    team->context = context;
    team->n = n;
    team->npieces = npieces;
    atomic_store(&team->remaining, (uint32_t)(team->size - 1));
    atomic_fetch_add(&team->generation, 1);
    if (atomic_load(&team->sleeping_helpers) > 0)
        pymic2__futex_wake_all(&team->generation);
    run_piece(team, 0);
    if (!PYMIC2__SPIN_UNTIL(atomic_load(&team->remaining) == 0, PYMIC2__SPIN_NS)) {
        atomic_store(&team->caller_sleeping, 1);
        uint32_t left;
        while ((left = atomic_load(&team->remaining)) != 0)
            pymic2__futex_wait(&team->remaining, left);
        atomic_store(&team->caller_sleeping, 0);
    }
    if (region_flag != NULL)
        atomic_store(region_flag, false);
    in_region = false;
    pthread_mutex_unlock(&team->region_lock);
}
