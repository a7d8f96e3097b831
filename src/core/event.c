/*
 * event.c - events: markers recorded into a stream, waited on by streams and by the host.
 *
 * Each record gets a generation number; the record command completes it when it runs (and
 * stamps the time). A wait command waits for the generation current when it was enqueued,
 * so a later re-record of the event does not delay it.
 */
#include "core.h"

#include <stdlib.h>

int pymic2_event_create(pymic2_device *device, pymic2_event **event)
{
    if (device == NULL || event == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_create: %s is NULL",
                             device == NULL ? "device" : "event");
    pymic2_event *made = calloc(1, sizeof *made);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate an event", device->name);
    made->device = device;
    pthread_mutex_init(&made->lock, NULL);
    pthread_cond_init(&made->done, NULL);
    *event = made;
    return PYMIC2_OK;
}

static void free_event(pymic2_event *event)
{
    pthread_cond_destroy(&event->done);
    pthread_mutex_destroy(&event->lock);
    free(event);
}

/* Drops one user (the lock is held, and released here); a transient event without users is
 * freed: nobody else can reach it then. */
static void drop_user(pymic2_event *event)
{
    bool unused = --event->users == 0;
    bool owned_here = unused && event->transient; /* read before the unlock: once unlocked, a
                                                     user's event may be destroyed at once */
    if (unused)
        pthread_cond_broadcast(&event->done);
    pthread_mutex_unlock(&event->lock);
    if (owned_here)
        free_event(event);
}

int pymic2_event_destroy(pymic2_event *event)
{
    if (event == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_destroy: event is NULL");
    if (pymic2__forked_child(event->device->name))
        return PYMIC2_ESYSTEM;
    /* enqueued records and waits still point at the event */
    pthread_mutex_lock(&event->lock);
    while (event->users > 0)
        pthread_cond_wait(&event->done, &event->lock);
    pthread_mutex_unlock(&event->lock);
    free_event(event);
    return PYMIC2_OK;
}

int pymic2_event_record(pymic2_event *event, pymic2_stream *stream)
{
    if (event == NULL || stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_record: %s is NULL",
                             event == NULL ? "event" : "stream");
    if (event->device != stream->device)
        return pymic2__error(PYMIC2_EDEVICE,
                             "event of %s cannot be recorded on a stream of %s",
                             event->device->name, stream->device->name);
    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_EVENT_RECORD);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pthread_mutex_lock(&event->lock);
    command->u.event.event = event;
    command->u.event.generation = ++event->generation;
    event->users++;
    pthread_mutex_unlock(&event->lock);
    return pymic2__command_submit(command);
}

int pymic2_stream_wait_event(pymic2_stream *stream, pymic2_event *event)
{
    if (event == NULL || stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_stream_wait_event: %s is NULL",
                             event == NULL ? "event" : "stream");
    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_EVENT_WAIT);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    pthread_mutex_lock(&event->lock);
    uint64_t generation = event->generation;
    bool pending = event->completed_generation < generation;
    if (pending)
        event->users++;
    pthread_mutex_unlock(&event->lock);
    if (!pending) { /* never recorded or already complete: nothing to wait for */
        free(command);
        return PYMIC2_OK;
    }
    command->u.event.event = event;
    command->u.event.generation = generation;
    return pymic2__command_submit(command);
}

void pymic2__event_wait(pymic2_event *event, uint64_t generation)
{
    pthread_mutex_lock(&event->lock);
    while (event->completed_generation < generation)
        pthread_cond_wait(&event->done, &event->lock);
    pthread_mutex_unlock(&event->lock);
}

void pymic2__event_record_done(pymic2_event *event, uint64_t generation)
{
    double now = pymic2__now_ms();
    pthread_mutex_lock(&event->lock);
    if (generation > event->completed_generation) {
        event->completed_generation = generation;
        event->timestamp_ms = now;
    }
    pthread_cond_broadcast(&event->done); /* host waiters wait for the generation */
    drop_user(event);
}

void pymic2__event_wait_done(pymic2_event *event)
{
    pthread_mutex_lock(&event->lock);
    drop_user(event);
}

int pymic2__stream_wait_stream(pymic2_stream *waiter, pymic2_stream *other)
{
    pymic2_event *marker;
    int status = pymic2_event_create(other->device, &marker);
    if (status != PYMIC2_OK)
        return status;
    marker->transient = true;
    marker->users = 1; /* this call's: the record may run and finish before the wait is made */
    status = pymic2_event_record(marker, other);
    if (status == PYMIC2_OK)
        status = pymic2_stream_wait_event(waiter, marker);
    pthread_mutex_lock(&marker->lock);
    drop_user(marker);
    return status;
}

int pymic2_event_sync(pymic2_event *event)
{
    if (event == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_sync: event is NULL");
    if (pymic2__forked_child(event->device->name))
        return PYMIC2_ESYSTEM;
    pthread_mutex_lock(&event->lock);
    uint64_t target = event->generation;
    while (event->completed_generation < target)
        pthread_cond_wait(&event->done, &event->lock);
    pthread_mutex_unlock(&event->lock);
    return PYMIC2_OK;
}

int pymic2_event_query(pymic2_event *event)
{
    if (event == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_query: event is NULL");
    pthread_mutex_lock(&event->lock);
    uint64_t recorded = event->generation, completed = event->completed_generation;
    pthread_mutex_unlock(&event->lock);
    if (completed < recorded)
        return pymic2__error(PYMIC2_ENOTREADY, "%s: event record %llu has not run yet",
                             event->device->name, (unsigned long long)recorded);
    return PYMIC2_OK;
}

/* The completion time of an event's last record, or an error naming which is missing. */
static int completed_time(pymic2_event *event, const char *which, double *timestamp_ms)
{
    pthread_mutex_lock(&event->lock);
    uint64_t recorded = event->generation, completed = event->completed_generation;
    *timestamp_ms = event->timestamp_ms;
    pthread_mutex_unlock(&event->lock);
    if (recorded == 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: the %s event was never recorded",
                             event->device->name, which);
    if (completed < recorded)
        return pymic2__error(PYMIC2_ENOTREADY, "%s: the %s event has not completed yet",
                             event->device->name, which);
    return PYMIC2_OK;
}

int pymic2_event_elapsed_ms(pymic2_event *start, pymic2_event *end, double *milliseconds)
{
    if (start == NULL || end == NULL || milliseconds == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_elapsed_ms: %s is NULL",
                             start == NULL ? "start" : end == NULL ? "end" : "milliseconds");
    double start_ms, end_ms;
    int status = completed_time(start, "start", &start_ms);
    if (status == PYMIC2_OK)
        status = completed_time(end, "end", &end_ms);
    if (status != PYMIC2_OK)
        return status;
    *milliseconds = end_ms - start_ms;
    return PYMIC2_OK;
}
