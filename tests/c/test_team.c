/*
 * test_team.c - the host thread team: every index runs exactly once, pieces respect
 * min_piece, members are distinct, regions from two threads do not mix, a region started
 * inside a piece runs instead of deadlocking, parallel_for_pieces runs the pieces it was
 * asked for, even more than the team has threads, and helpers that never spin (spin_ns 0)
 * still join.
 */
#include "check.h"
#include "team.h"
#include "../../src/core/spin.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct coverage {
    int64_t n;
    atomic_int *hits;
    atomic_int pieces;
    atomic_int member_mask;
    atomic_int short_pieces; /* pieces below min_piece (allowed only when one piece runs) */
    int64_t min_piece;
} coverage;

static void count(void *context, int64_t begin, int64_t end, int member)
{
    coverage *c = context;
    for (int64_t i = begin; i < end; i++)
        atomic_fetch_add(&c->hits[i], 1);
    atomic_fetch_add(&c->pieces, 1);
    atomic_fetch_or(&c->member_mask, 1 << member);
    if (end - begin < c->min_piece)
        atomic_fetch_add(&c->short_pieces, 1);
}

/* Runs one region and checks it against a direct count. */
static bool covers_once(pymic2__team *team, int64_t n, int64_t min_piece)
{
    coverage c = {.n = n, .min_piece = min_piece};
    c.hits = calloc((size_t)(n > 0 ? n : 1), sizeof *c.hits);
    pymic2__team_parallel_for(team, n, min_piece, count, &c);
    bool ok = true;
    for (int64_t i = 0; i < n; i++)
        ok = ok && atomic_load(&c.hits[i]) == 1;
    int pieces = atomic_load(&c.pieces);
    int expected_max = n / (min_piece > 0 ? min_piece : 1) < pymic2__team_size(team)
                           ? (int)(n / (min_piece > 0 ? min_piece : 1))
                           : pymic2__team_size(team);
    ok = ok && pieces <= (expected_max > 1 ? expected_max : 1);
    ok = ok && __builtin_popcount((unsigned)atomic_load(&c.member_mask)) == pieces;
    ok = ok && (pieces <= 1 || atomic_load(&c.short_pieces) == 0);
    free(c.hits);
    return ok;
}

/* parallel_for_pieces: [0, n) once, in min(n, npieces) pieces of near-equal size, each
 * with its own member number. */
static bool covers_in_pieces(pymic2__team *team, int64_t n, int npieces)
{
    coverage c = {.n = n, .min_piece = n / (npieces > 0 ? npieces : 1)};
    c.hits = calloc((size_t)(n > 0 ? n : 1), sizeof *c.hits);
    pymic2__team_parallel_for_pieces(team, n, npieces, count, &c);
    bool ok = true;
    for (int64_t i = 0; i < n; i++)
        ok = ok && atomic_load(&c.hits[i]) == 1;
    int expected = n == 0 ? 0 : n < npieces ? (int)n : npieces;
    ok = ok && atomic_load(&c.pieces) == expected;
    ok = ok && __builtin_popcount((unsigned)atomic_load(&c.member_mask)) == expected;
    ok = ok && atomic_load(&c.short_pieces) == 0;
    free(c.hits);
    return ok;
}

typedef struct nested {
    pymic2__team *team;
    atomic_int inner_ok;
} nested;

/* Each piece runs a region of its own: it must run (serially) instead of deadlocking. */
static void nest(void *context, int64_t begin, int64_t end, int member)
{
    (void)member;
    nested *outer = context;
    for (int64_t i = begin; i < end; i++)
        atomic_fetch_add(&outer->inner_ok, covers_once(outer->team, 100, 1));
}

typedef struct racer {
    pymic2__team *team;
    int failures;
} racer;

static void *race(void *argument)
{
    racer *r = argument;
    for (int round = 0; round < 300; round++)
        r->failures += !covers_once(r->team, 1000 + round, 7);
    return NULL;
}

int main(void)
{
    for (int size = 1; size <= 4; size++) {
        pymic2__team *team;
        pymic2__team_config config = {size, NULL, PYMIC2__SPIN_NS};
        CHECK_OK(pymic2__team_create(&config, &team));
        CHECK(pymic2__team_size(team) == size);
        const int64_t ns[] = {0, 1, 2, 3, 5, 17, 100, 4096, 100003};
        const int64_t mins[] = {0, 1, 10, 1000};
        for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
            for (size_t j = 0; j < sizeof mins / sizeof *mins; j++)
                CHECK(covers_once(team, ns[i], mins[j]));
        const int piece_counts[] = {1, 2, 3, 8, 16};
        for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
            for (size_t j = 0; j < sizeof piece_counts / sizeof *piece_counts; j++)
                CHECK(covers_in_pieces(team, ns[i], piece_counts[j]));
        /* many back-to-back regions (helpers spinning), then one after they slept */
        bool all = true;
        for (int round = 0; round < 2000; round++)
            all = all && covers_once(team, 64, 1);
        CHECK(all);
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
        CHECK(covers_once(team, 64, 1));
        /* two threads share the team */
        racer racers[2] = {{team, 0}, {team, 0}};
        pthread_t threads[2];
        for (int t = 0; t < 2; t++)
            pthread_create(&threads[t], NULL, race, &racers[t]);
        for (int t = 0; t < 2; t++)
            pthread_join(threads[t], NULL);
        CHECK(racers[0].failures == 0 && racers[1].failures == 0);
        nested outer = {.team = team};
        pymic2__team_parallel_for(team, 8, 1, nest, &outer);
        CHECK(atomic_load(&outer.inner_ok) == 8);
        pymic2__team_destroy(team);
    }
    pymic2__team *team;
    /* PYMIC2_BLOCKTIME_US=0: helpers sleep after every region and must still be woken */
    pymic2__team_config sleepy = {2, NULL, 0};
    CHECK_OK(pymic2__team_create(&sleepy, &team));
    bool covered = true;
    for (int round = 0; round < 200; round++)
        covered = covered && covers_once(team, 1 << 16, 1) && covers_in_pieces(team, 64, 2);
    CHECK(covered);
    pymic2__team_destroy(team);
    pymic2__team_config bad = {0, NULL, PYMIC2__SPIN_NS};
    CHECK_STATUS(pymic2__team_create(&bad, &team), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("at least 1 thread");
    return CHECK_DONE();
}
