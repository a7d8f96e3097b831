/*
 * core.h - helpers shared by the files of src/core (not by the backends).
 */
#ifndef PYMIC2_CORE_H
#define PYMIC2_CORE_H

#include "internal.h"

/*
 * A child forked after initialisation has the devices' memory but none of their worker
 * threads, so nothing it enqueued would ever run and every wait would hang. The calls that
 * enqueue or wait check this first: it records ESYSTEM naming `what` and returns true.
 */
bool pymic2__forked_child(const char *what);

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
