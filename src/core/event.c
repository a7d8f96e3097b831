/*
 * event.c - events: markers recorded into a stream, waited on by streams and by the host.
 *
 * Each record gets a generation number; the record command completes it when it runs (and
 * stamps the time). A wait command waits for the generation current when it was enqueued,
 * so a later re-record of the event does not delay it.
 *
 * Destroy never waits: enqueued records and waits still point at the event, so while they
 * are pending destroy only marks it dead and the last of them retires the record.
 */
#include "core.h"

#include <stdlib.h>

static pymic2__record_list retired_events = PYMIC2__RECORD_LIST_INIT;

/* The event argument of a call: EINVAL, naming `what`, for NULL or a destroyed event. */
static int check_event(const pymic2_event *event, const char *what)
{
    if (event == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: event is NULL", what);
    if (!pymic2__record_live(&event->record, PYMIC2__MAGIC_EVENT))
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the event was destroyed",
                             event->device->name, what);
    return PYMIC2_OK;
}

int pymic2_event_create(pymic2_device *device, pymic2_event **event)
{
    if (device == NULL || event == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_create: %s is NULL",
                             device == NULL ? "device" : "event");
    if (pymic2__forked_child(device->name))
        return PYMIC2_ESYSTEM;
    pymic2_event *made = pymic2__record_new(&retired_events, sizeof *made, PYMIC2__MAGIC_EVENT);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate an event", device->name);
    made->device = device;
    pthread_mutex_init(&made->lock, NULL);
    pymic2__cond_init_monotonic(&made->done);
    *event = made;
    return PYMIC2_OK;
}

static void retire(pymic2_event *event)
{
    pthread_cond_destroy(&event->done);
    pthread_mutex_destroy(&event->lock);
    pymic2__record_retire(&retired_events, &event->record);
}

int pymic2_event_destroy(pymic2_event *event)
{
    int status = check_event(event, "pymic2_event_destroy");
    if (status != PYMIC2_OK)
        return status;
    pymic2__record_kill(&event->record);
    if (pymic2__in_forked_child())
        return PYMIC2_OK; /* the parent's event: its pending records stayed there */
    pthread_mutex_lock(&event->lock);
    bool idle = event->users == 0;
    event->destroyed = !idle;
    pthread_mutex_unlock(&event->lock);
    if (idle)
        retire(event);
    return PYMIC2_OK;
}

int pymic2_event_record(pymic2_event *event, pymic2_stream *stream)
{
    int status = check_event(event, "pymic2_event_record");
    if (status == PYMIC2_OK)
        status = pymic2__check_stream(stream, "pymic2_event_record");
    if (status != PYMIC2_OK)
        return status;
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
    int status = check_event(event, "pymic2_stream_wait_event");
    if (status == PYMIC2_OK)
        status = pymic2__check_stream(stream, "pymic2_stream_wait_event");
    if (status != PYMIC2_OK)
        return status;
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

/* One enqueued command naming the event is done (the lock is held); true when that was
 * the last one of an event destroyed meanwhile, which the caller then retires. */
static bool drop_user(pymic2_event *event)
{
    return --event->users == 0 && event->destroyed;
}

void pymic2__event_record_done(pymic2_event *event, uint64_t generation)
{
    double now = pymic2__now_ms();
    pthread_mutex_lock(&event->lock);
    if (generation > event->completed_generation) {
        event->completed_generation = generation;
        event->timestamp_ms = now;
    }
    bool last = drop_user(event);
    pthread_cond_broadcast(&event->done);
    pthread_mutex_unlock(&event->lock);
    if (last)
        retire(event);
}

void pymic2__event_wait_done(pymic2_event *event)
{
    pthread_mutex_lock(&event->lock);
    bool last = drop_user(event);
    pthread_mutex_unlock(&event->lock);
    if (last)
        retire(event);
}

/* sync and wait; `what` names the call in messages */
static int wait_for_event(pymic2_event *event, double timeout_ms, const char *what)
{
    int status = check_event(event, what);
    if (status != PYMIC2_OK)
        return status;
    if (pymic2__forked_child(event->device->name))
        return PYMIC2_ESYSTEM;
    uint64_t deadline = pymic2__deadline_ns(timeout_ms);
    pthread_mutex_lock(&event->lock);
    uint64_t target = event->generation;
    while (event->completed_generation < target &&
           pymic2__cond_wait_until(&event->done, &event->lock, deadline)) {
    }
    bool completed = event->completed_generation >= target;
    pthread_mutex_unlock(&event->lock);
    if (!completed)
        return pymic2__error(PYMIC2_ENOTREADY,
                             "%s: event record %llu has not run after waiting %g ms",
                             event->device->name, (unsigned long long)target, timeout_ms);
    return PYMIC2_OK;
}

int pymic2__stream_wait_stream(pymic2_stream *waiter, pymic2_stream *other)
{
    pymic2_event *marker;
    int status = pymic2_event_create(other->device, &marker);
    if (status != PYMIC2_OK)
        return status;
    status = pymic2_event_record(marker, other);
    if (status == PYMIC2_OK)
        status = pymic2_stream_wait_event(waiter, marker);
    pymic2_event_destroy(marker); /* never waits: the last of the record and wait retires it */
    return status;
}

int pymic2_event_sync(pymic2_event *event)
{
    return wait_for_event(event, -1.0, "pymic2_event_sync");
}

int pymic2_event_wait(pymic2_event *event, double timeout_ms)
{
    return wait_for_event(event, timeout_ms, "pymic2_event_wait");
}

int pymic2_event_query(pymic2_event *event)
{
    int status = check_event(event, "pymic2_event_query");
    if (status != PYMIC2_OK)
        return status;
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
    if (milliseconds == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_event_elapsed_ms: milliseconds is NULL");
    int status = check_event(start, "pymic2_event_elapsed_ms (start)");
    if (status == PYMIC2_OK)
        status = check_event(end, "pymic2_event_elapsed_ms (end)");
    if (status != PYMIC2_OK)
        return status;
    double start_ms, end_ms;
    status = completed_time(start, "start", &start_ms);
    if (status == PYMIC2_OK)
        status = completed_time(end, "end", &end_ms);
    if (status != PYMIC2_OK)
        return status;
    *milliseconds = end_ms - start_ms;
    return PYMIC2_OK;
}
