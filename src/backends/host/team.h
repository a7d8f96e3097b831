/*
 * team.h - a host device's thread team: the threads that run one parallel region at a time.
 *
 * A device has one team (PYMIC2_NUM_THREADS threads, placed by PYMIC2_AFFINITY). The thread
 * that calls pymic2__team_parallel_for (a stream's worker) takes part as member 0; regions
 * from different streams of the device run one after the other.
 */
#ifndef PYMIC2_HOST_TEAM_H
#define PYMIC2_HOST_TEAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct pymic2__team pymic2__team;

/* Runs fn on [begin, end) pieces that cover [0, n). member is the piece's index,
 * 0..size-1 (parallel_for_pieces: up to its npieces - 1), unique within the region (any
 * thread may run any piece: per-member scratch must be indexed by it, not by thread). */
typedef void (*pymic2__range_fn)(void *context, int64_t begin, int64_t end, int member);

typedef struct pymic2__team_config {
    int num_threads;    /* >= 1 */
    const int *cpus;    /* num_threads CPU ids to pin member i to, or NULL for no pinning */
    uint64_t spin_ns;   /* how long a helper spins for the next region before it sleeps */
} pymic2__team_config;

int pymic2__team_create(const pymic2__team_config *config, pymic2__team **team);
void pymic2__team_destroy(pymic2__team *team);
int pymic2__team_size(const pymic2__team *team);

/*
 * Names a flag of the calling thread (a stream's worker: its stream's `saturated`) that
 * parallel_for holds true while a region of more than one piece runs, so that whoever waits
 * for this thread's work sleeps instead of spinning on a CPU the region needs. NULL: none.
 */
void pymic2__team_set_region_flag(atomic_bool *flag);

/*
 * Splits [0, n) into at most size() contiguous pieces of at least min_piece items (so small
 * work stays on the calling thread) and blocks until all ran. Sleeping helpers are woken
 * only for pieces of many (16) min_pieces, or for a series of regions. The caller runs every piece
 * no other thread has claimed, so it never waits for a helper that is not running. Called
 * from inside a piece (nested), it runs [0, n) serially on the calling thread.
 */
void pymic2__team_parallel_for(pymic2__team *team, int64_t n, int64_t min_piece,
                               pymic2__range_fn fn, void *context);

/*
 * As parallel_for, for work whose every piece is worth waking a sleeping helper for (tens
 * of microseconds or more), however few items it has: a reduction of a few long runs or
 * column blocks, which parallel_for's item count would take for small work. Splits [0, n)
 * into at most size() pieces.
 */
void pymic2__team_parallel_for_large(pymic2__team *team, int64_t n, pymic2__range_fn fn,
                                     void *context);

/*
 * As parallel_for_large, in npieces near-equal pieces, which may be more than the team's
 * threads: then member runs to npieces - 1, so fn must keep no per-member scratch. More
 * pieces than threads balance a helper that joins late or runs slowly, as the others take
 * its remaining pieces.
 */
void pymic2__team_parallel_for_pieces(pymic2__team *team, int64_t n, int npieces,
                                      pymic2__range_fn fn, void *context);

/*
 * Runs unclaimed pieces of the team's current region, if any, on the calling thread (one
 * outside the team that would otherwise wait, e.g. in stream sync); true if it ran one.
 */
bool pymic2__team_help(pymic2__team *team);

#endif /* PYMIC2_HOST_TEAM_H */
