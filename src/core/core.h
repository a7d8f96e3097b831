/*
 * core.h - helpers shared by the files of src/core (not by the backends).
 */
#ifndef PYMIC2_CORE_H
#define PYMIC2_CORE_H

#include "internal.h"

/*
 * A child forked after initialisation has the devices' memory but none of their worker
 * threads, so nothing it enqueued would ever run and every wait would hang. The calls that
 * create, enqueue or wait check this first: it records ESYSTEM naming `what` and returns
 * true. Destroying a stream, event or library there (all inherited from the parent, since
 * none can be made) is a quiet no-op that succeeds: their threads and commands are the
 * parent's, and a child that exits must not fail on them.
 */
bool pymic2__forked_child(const char *what);
/* The same test, recording nothing. */
bool pymic2__in_forked_child(void);

/* The stream argument of a call: EINVAL, naming `what`, for NULL or a destroyed stream. */
int pymic2__check_stream(const pymic2_stream *stream, const char *what);

/*
 * Stream and event records (record.c): new returns a zeroed record of `size` bytes marked
 * live with magic (NULL when out of memory); kill marks one dead where it stays (a forked
 * child's inherited handles); retire marks it dead and queues it for a later new.
 */
typedef struct pymic2__record_list {
    pthread_mutex_t lock;
    pymic2__record *head, *tail;
    size_t count;
} pymic2__record_list;
#define PYMIC2__RECORD_LIST_INIT {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0}
void *pymic2__record_new(pymic2__record_list *list, size_t size, unsigned magic);
void pymic2__record_kill(pymic2__record *record);
void pymic2__record_retire(pymic2__record_list *list, pymic2__record *record);
bool pymic2__record_live(const pymic2__record *record, unsigned magic);

/*
 * Bounded waits (wait.c). A deadline is a CLOCK_MONOTONIC time in ns; PYMIC2__NO_DEADLINE
 * never comes. cond_wait_until needs a condition made by cond_init_monotonic and returns
 * false once the deadline passed (true when signalled, or woken spuriously).
 */
#define PYMIC2__NO_DEADLINE UINT64_MAX
void pymic2__cond_init_monotonic(pthread_cond_t *cond);
/* now + timeout_ms; a negative timeout gives PYMIC2__NO_DEADLINE */
uint64_t pymic2__deadline_ns(double timeout_ms);
bool pymic2__cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mutex, uint64_t deadline_ns);

/* Creates a stream; the registry makes each device's default stream with is_default. */
int pymic2__stream_new(pymic2_device *device, bool is_default, pymic2_stream **stream);
/* References that keep a stream's struct (not its backend queue) alive: destroy drops the
 * owner's, buffers hold one while the stream is their last user. */
void pymic2__stream_retain(pymic2_stream *stream);
void pymic2__stream_release(pymic2_stream *stream);
/* Commands enqueued on waiter from now on run after every command enqueued on other so far
 * (a record of a self-freeing event on other, and a wait for it on waiter). */
int pymic2__stream_wait_stream(pymic2_stream *waiter, pymic2_stream *other);

/* Pool entry points used by buffers (pool.c). */
int pymic2__pool_alloc(pymic2__pool *pool, size_t nbytes, size_t alignment,
                       pymic2_buffer **buffer);
void pymic2__pool_free(pymic2__pool *pool, pymic2_buffer *buffer);

/*
 * Checks that a buffer handed to a stream command is live, on the stream's device and that
 * [offset, offset + nbytes) lies inside it. what names the argument in messages ("dst").
 */
int pymic2__check_buffer_range(const pymic2_stream *stream, const pymic2_buffer *buffer,
                               const char *what, size_t offset, size_t nbytes);

/* Event bookkeeping done when a command that names the event finishes (event.c). */
void pymic2__event_record_done(pymic2_event *event, uint64_t generation);
void pymic2__event_wait_done(pymic2_event *event);

#endif /* PYMIC2_CORE_H */
