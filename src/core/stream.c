/*
 * stream.c - commands and streams: numbering, hand-over to the backend, completion, sync.
 */
#include "core.h"
#include "spin.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- commands */

#define RUNTIME_INFO(KIND, busy, name) [PYMIC2__CMD_##KIND] = {name, PYMIC2__BUSY_##busy, false},
#define FAMILY_INFO(KIND, member, type, name, host, opencl)                                    \
    [PYMIC2__CMD_##KIND] = {name, PYMIC2__BUSY_COMPUTE, true},
const pymic2__command_info pymic2__command_infos[PYMIC2__NUM_COMMANDS] = {
    PYMIC2__COMMANDS(RUNTIME_INFO, FAMILY_INFO)};
#undef RUNTIME_INFO
#undef FAMILY_INFO

/* A command (the stream's spare, or new) with its header zeroed, the whole of it when
 * zero_all. */
static pymic2__command *allocate(pymic2_stream *stream, pymic2__command_kind kind, bool zero_all)
{
    pymic2__command *command = atomic_exchange(&stream->spare_command, NULL);
    if (command == NULL)
        command = malloc(sizeof *command);
    if (command == NULL) {
        pymic2__error(PYMIC2_ENOMEM, "%s: cannot allocate a command of %zu bytes",
                      stream->device->name, sizeof *command);
        return NULL;
    }
    memset(command, 0, zero_all ? sizeof *command : offsetof(pymic2__command, u));
    command->kind = kind;
    command->stream = stream;
    return command;
}

pymic2__command *pymic2__command_new(pymic2_stream *stream, pymic2__command_kind kind)
{
    return allocate(stream, kind, true);
}

pymic2__command *pymic2__command_new_from(pymic2_stream *stream, pymic2__command_kind kind,
                                          const void *desc, size_t size)
{
    pymic2__command *command = allocate(stream, kind, false);
    if (command != NULL)
        memcpy(&command->u, desc, size);
    return command;
}

void pymic2__command_use_buffer(pymic2__command *command, pymic2_buffer *buffer)
{
    for (int i = 0; i < command->nbuffers; i++)
        if (command->buffers[i] == buffer)
            return;
    /* callers validated the buffer (live, on this device), so retain cannot fail */
    atomic_fetch_add(&buffer->refcount, 1);
    command->buffers[command->nbuffers++] = buffer;
}

/* What a command holds besides its buffers: library and event users. */
static void drop_references(pymic2__command *command)
{
    switch (command->kind) {
    case PYMIC2__CMD_INVOKE:
        atomic_fetch_sub(&command->u.invoke.kernel->library->pending_invokes, 1);
        break;
    case PYMIC2__CMD_EVENT_RECORD:
        pymic2__event_record_done(command->u.event.event, command->u.event.generation);
        break;
    case PYMIC2__CMD_EVENT_WAIT:
        pymic2__event_wait_done(command->u.event.event);
        break;
    case PYMIC2__CMD_COPY_H2D:
        free(command->u.copy.staging);
        break;
    default:
        break;
    }
    for (int i = 0; i < command->nbuffers; i++)
        pymic2_buffer_release(command->buffers[i]);
}

static void wait_completed(pymic2_stream *stream, uint64_t target);
static bool wait_completed_until(pymic2_stream *stream, uint64_t target, uint64_t deadline);

int pymic2__check_stream(const pymic2_stream *stream, const char *what)
{
    if (stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: stream is NULL", what);
    if (!pymic2__record_live(&stream->record, PYMIC2__MAGIC_STREAM))
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the stream was destroyed",
                             stream->device->name, what);
    return PYMIC2_OK;
}

int pymic2__copy_stage_source(pymic2__command *command)
{
    if (command->kind != PYMIC2__CMD_COPY_H2D || command->u.copy.staging != NULL)
        return PYMIC2_OK;
    void *staging = malloc(command->u.copy.nbytes);
    if (staging == NULL)
        return pymic2__error(PYMIC2_ENOMEM,
                             "%s: copy to the device: no host memory to stage %zu bytes",
                             command->stream->device->name, command->u.copy.nbytes);
    memcpy(staging, command->u.copy.src_host, command->u.copy.nbytes);
    command->u.copy.staging = staging;
    command->u.copy.src_host = staging;
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- ordering across streams */

static void lock_last_use(pymic2_buffer *buffer)
{
    while (atomic_flag_test_and_set_explicit(&buffer->last_use_lock, memory_order_acquire))
        pymic2__cpu_relax();
}

static void unlock_last_use(pymic2_buffer *buffer)
{
    atomic_flag_clear_explicit(&buffer->last_use_lock, memory_order_release);
}

/* The stream whose unfinished command last used the buffer, if not `stream` (retained), or
 * NULL. */
static pymic2_stream *pending_other_user(pymic2_buffer *buffer, pymic2_stream *stream)
{
    lock_last_use(buffer);
    pymic2_stream *other = buffer->last_stream;
    if (other == stream || other == NULL ||
        atomic_load(&other->completed) >= buffer->last_sequence)
        other = NULL;
    else
        pymic2__stream_retain(other);
    unlock_last_use(buffer);
    return other;
}

/*
 * A command runs after the commands of other streams that used its buffers before it and
 * have not finished, as if the streams were one: reads see earlier writes, writes do not
 * overtake earlier reads. Any use counts (reads and writes are not told apart), so an array
 * shared by streams orders them. Costs nothing when every buffer's last user is this stream
 * or idle; otherwise one event record and wait per other stream.
 */
static int wait_for_other_users(pymic2__command *command)
{
    pymic2_stream *others[PYMIC2_MAX_KERNEL_ARGS + PYMIC2_MAX_OPERANDS];
    int nothers = 0;
    for (int i = 0; i < command->nbuffers; i++) {
        pymic2_stream *other = pending_other_user(command->buffers[i], command->stream);
        if (other == NULL)
            continue;
        bool seen = false;
        for (int j = 0; j < nothers && !seen; j++)
            seen = others[j] == other;
        if (seen)
            pymic2__stream_release(other);
        else
            others[nothers++] = other;
    }
    int status = PYMIC2_OK;
    for (int j = 0; j < nothers; j++) {
        if (status == PYMIC2_OK)
            status = pymic2__stream_wait_stream(command->stream, others[j]);
        pymic2__stream_release(others[j]);
    }
    return status;
}

/* Records command `sequence` of stream as the buffer's last use. */
static void note_use(pymic2_buffer *buffer, pymic2_stream *stream, uint64_t sequence)
{
    pymic2_stream *dropped = NULL;
    lock_last_use(buffer);
    if (buffer->last_stream != stream) {
        dropped = buffer->last_stream;
        pymic2__stream_retain(stream);
        buffer->last_stream = stream;
        buffer->last_sequence = sequence;
    } else if (sequence > buffer->last_sequence) {
        buffer->last_sequence = sequence;
    }
    unlock_last_use(buffer);
    if (dropped != NULL)
        pymic2__stream_release(dropped);
}

static int wait_for_buffer(pymic2_buffer *buffer, double timeout_ms, const char *what)
{
    if (buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: buffer is NULL", what);
    if (atomic_load(&buffer->refcount) <= 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the buffer was released",
                             buffer->device->name, what);
    lock_last_use(buffer);
    pymic2_stream *user = buffer->last_stream;
    uint64_t sequence = buffer->last_sequence;
    if (user != NULL)
        pymic2__stream_retain(user);
    unlock_last_use(buffer);
    if (user == NULL)
        return PYMIC2_OK;
    int status = pymic2__forked_child(user->device->name) ? PYMIC2_ESYSTEM : PYMIC2_OK;
    if (status == PYMIC2_OK &&
        !wait_completed_until(user, sequence, pymic2__deadline_ns(timeout_ms)))
        status = pymic2__error(PYMIC2_ENOTREADY,
                               "%s: %s: the buffer's last user has not finished after %g ms",
                               user->device->name, what, timeout_ms);
    pymic2__stream_release(user);
    return status;
}

int pymic2_buffer_sync(pymic2_buffer *buffer)
{
    return wait_for_buffer(buffer, -1.0, "pymic2_buffer_sync");
}

int pymic2_buffer_wait(pymic2_buffer *buffer, double timeout_ms)
{
    return wait_for_buffer(buffer, timeout_ms, "pymic2_buffer_wait");
}

void pymic2__buffer_forget_use(pymic2_buffer *buffer)
{
    pymic2_stream *dropped = buffer->last_stream; /* no command holds the buffer any more */
    buffer->last_stream = NULL;
    buffer->last_sequence = 0;
    if (dropped != NULL)
        pymic2__stream_release(dropped);
}

/* ---------------------------------------------------------------- submission */

/* The interrupt check (pymic2_set_interrupt_check), set once by a client at start-up. */
static _Atomic(pymic2_interrupt_check) interrupt_check;
static void *_Atomic interrupt_argument;
#define ROOM_SLICE_MS 50.0

void pymic2_set_interrupt_check(pymic2_interrupt_check check, void *argument)
{
    atomic_store(&interrupt_argument, argument);
    atomic_store(&interrupt_check, check);
}

/* Waits until command `target` of a full stream finished; in slices when an interrupt check
 * is set, giving up with EINTR when it says so. */
static int wait_for_room(pymic2_stream *stream, uint64_t target)
{
    pymic2_interrupt_check check = atomic_load(&interrupt_check);
    if (check == NULL) {
        wait_completed(stream, target);
        return PYMIC2_OK;
    }
    while (!wait_completed_until(stream, target, pymic2__deadline_ns(ROOM_SLICE_MS)))
        if (check(atomic_load(&interrupt_argument)) != 0)
            return pymic2__error(PYMIC2_EINTR,
                                 "%s: interrupted while waiting for room in a full stream "
                                 "(%llu of %llu commands finished); nothing was enqueued",
                                 stream->device->name,
                                 (unsigned long long)atomic_load(&stream->completed),
                                 (unsigned long long)atomic_load(&stream->enqueued));
    return PYMIC2_OK;
}

int pymic2__command_submit(pymic2__command *command)
{
    pymic2_stream *stream = command->stream;
    pymic2_device *device = stream->device;
    int status = pymic2__check_stream(stream, "enqueue");
    if (status == PYMIC2_OK && (unsigned)command->kind < PYMIC2__NUM_COMMANDS &&
        pymic2__command_infos[command->kind].family && device->ops->compute[command->kind] == NULL)
        status = pymic2__error(PYMIC2_ENOTSUP, "%s: %s is not supported on this device (the "
                               "%s backend has no implementation of it)", device->name,
                               pymic2__command_infos[command->kind].name, device->ops->name);
    if (status == PYMIC2_OK && pymic2__forked_child(device->name))
        status = PYMIC2_ESYSTEM;
    if (status == PYMIC2_OK)
        status = wait_for_other_users(command);
    if (status != PYMIC2_OK) {
        drop_references(command);
        free(command);
        return status;
    }
    /* The queue is bounded: every pending command holds its buffers, so a producer far ahead
     * of the device would pin memory without limit. It waits (helping where it can) until
     * half the backlog ran. */
    uint64_t enqueued = atomic_load(&stream->enqueued);
    if (enqueued - atomic_load(&stream->completed) >= PYMIC2__MAX_PENDING_COMMANDS)
        status = wait_for_room(stream, enqueued - PYMIC2__MAX_PENDING_COMMANDS / 2);
    if (status != PYMIC2_OK) {
        drop_references(command);
        free(command);
        return status;
    }
    pthread_mutex_lock(&stream->submit_lock);
    uint64_t sequence = atomic_load(&stream->enqueued) + 1;
    command->sequence = sequence;
    /* before the hand-over, which may finish the command; a number that fails to submit is
     * taken by the stream's next command, so waiting for it stays bounded */
    for (int i = 0; i < command->nbuffers; i++)
        note_use(command->buffers[i], stream, sequence);
    status = atomic_load(&stream->completed) + 1 == sequence ? PYMIC2_OK
                                                             : pymic2__copy_stage_source(command);
    if (status == PYMIC2_OK)
        status = device->ops->submit(stream, command);
    /* published after the hand-over: sync must never wait for a number that failed */
    if (status == PYMIC2_OK)
        atomic_store(&stream->enqueued, sequence);
    pthread_mutex_unlock(&stream->submit_lock);
    if (status != PYMIC2_OK) {
        /* an event record that could not be enqueued completes now, so nobody waits forever */
        drop_references(command);
        free(command);
    }
    return status;
}

void pymic2__command_finish(pymic2__command *command, int status)
{
    pymic2_stream *stream = command->stream;
    if (status != PYMIC2_OK) {
        pthread_mutex_lock(&stream->lock);
        if (stream->first_error == PYMIC2_OK) {
            stream->first_error = status;
            snprintf(stream->first_error_message, sizeof stream->first_error_message,
                     "command %llu failed with %s: %s", (unsigned long long)command->sequence,
                     pymic2_status_name(status), pymic2_last_error());
        }
        pthread_mutex_unlock(&stream->lock);
    }
    drop_references(command);
    uint64_t sequence = command->sequence;
    /* kept for the stream's next command (before completed: the stream's last release,
     * after sync, frees it) */
    free(atomic_exchange(&stream->spare_command, command));
    atomic_store(&stream->completed, sequence);
    /* pairs with the increment in wait_completed: one of the two sees the other */
    if (atomic_load(&stream->sync_waiters) > 0) {
        pthread_mutex_lock(&stream->lock);
        pthread_cond_broadcast(&stream->idle);
        pthread_mutex_unlock(&stream->lock);
    }
}

/* ---------------------------------------------------------------- streams */

static pymic2__record_list retired_streams = PYMIC2__RECORD_LIST_INIT;

int pymic2__stream_new(pymic2_device *device, bool is_default, pymic2_stream **stream)
{
    if (device->ops->stream_create == NULL || device->ops->submit == NULL)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: the backend has no streams", device->name);
    if (pymic2__forked_child(device->name))
        return PYMIC2_ESYSTEM;
    pymic2_stream *made = pymic2__record_new(&retired_streams, sizeof *made,
                                             PYMIC2__MAGIC_STREAM);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate a stream", device->name);
    made->device = device;
    made->is_default = is_default;
    atomic_init(&made->refs, 1);
    pthread_mutex_init(&made->lock, NULL);
    pymic2__cond_init_monotonic(&made->idle);
    pthread_mutex_init(&made->submit_lock, NULL);
    int status = device->ops->stream_create(made);
    if (status != PYMIC2_OK) {
        pthread_mutex_destroy(&made->submit_lock);
        pthread_cond_destroy(&made->idle);
        pthread_mutex_destroy(&made->lock);
        pymic2__record_retire(&retired_streams, &made->record);
        return status;
    }
    *stream = made;
    return PYMIC2_OK;
}

/*
 * Works towards command `target` where the backend lets it (runs the queued commands
 * itself, or pieces of a parallel one), then spins while a short command may be about to
 * finish, then sleeps. Working beats waiting: a thread that waits for the worker to wake
 * up or be scheduled loses tens of microseconds in this VM. While the command uses every
 * CPU of the device the spinner yields at every clock read, so it does not keep a piece
 * off its CPU.
 *
 * With a deadline the wait gives up there (false) and the backend's help is bounded: a user
 * kernel that never ends must not capture a thread that has to return (see assist).
 */
static bool wait_completed_until(pymic2_stream *stream, uint64_t target, uint64_t deadline)
{
    bool (*assist)(pymic2_stream *, uint64_t, bool) = stream->device->ops->assist;
    bool bounded = deadline != PYMIC2__NO_DEADLINE;
    uint64_t spin_end = 0;
    for (unsigned round = 1;; round++) {
        if (atomic_load(&stream->completed) >= target)
            return true;
        if (assist != NULL && assist(stream, target, bounded)) {
            spin_end = 0; /* did work: wait as if from the start */
            if (bounded && pymic2__now_ns() >= deadline)
                return atomic_load(&stream->completed) >= target;
            continue;
        }
        if ((round & 63) == 0) {
            uint64_t now = pymic2__now_ns();
            if (spin_end == 0)
                spin_end = now + PYMIC2__SYNC_SPIN_NS;
            else if (now >= spin_end || now >= deadline)
                break;
            if (round >= PYMIC2__SPIN_ROUNDS_BEFORE_YIELD || atomic_load(&stream->saturated))
                sched_yield();
        }
        pymic2__cpu_relax();
    }
    pthread_mutex_lock(&stream->lock);
    atomic_fetch_add(&stream->sync_waiters, 1);
    while (atomic_load(&stream->completed) < target &&
           pymic2__cond_wait_until(&stream->idle, &stream->lock, deadline)) {
    }
    atomic_fetch_sub(&stream->sync_waiters, 1);
    pthread_mutex_unlock(&stream->lock);
    return atomic_load(&stream->completed) >= target;
}

static void wait_completed(pymic2_stream *stream, uint64_t target)
{
    wait_completed_until(stream, target, PYMIC2__NO_DEADLINE);
}

int pymic2_stream_default(pymic2_device *device, pymic2_stream **stream)
{
    if (device == NULL || stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_stream_default: %s is NULL",
                             device == NULL ? "device" : "stream");
    *stream = device->default_stream;
    return PYMIC2_OK;
}

int pymic2_stream_create(pymic2_device *device, pymic2_stream **stream)
{
    if (device == NULL || stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_stream_create: %s is NULL",
                             device == NULL ? "device" : "stream");
    return pymic2__stream_new(device, false, stream);
}

/* The cause behind this thread's last EASYNC (pymic2_last_async_status). */
static _Thread_local int last_async_status;

int pymic2_last_async_status(void)
{
    return last_async_status;
}

/* The first asynchronous error since the last sync, as EASYNC (cleared), or OK. */
static int take_first_error(pymic2_stream *stream)
{
    int status = PYMIC2_OK;
    last_async_status = PYMIC2_OK;
    pthread_mutex_lock(&stream->lock);
    if (stream->first_error != PYMIC2_OK) {
        last_async_status = stream->first_error;
        status = pymic2__error(PYMIC2_EASYNC, "%s: %s", stream->device->name,
                               stream->first_error_message);
        stream->first_error = PYMIC2_OK;
        stream->first_error_message[0] = '\0';
    }
    pthread_mutex_unlock(&stream->lock);
    return status;
}

/* sync and wait; `what` names the call in messages */
static int wait_for_stream(pymic2_stream *stream, double timeout_ms, const char *what)
{
    int status = pymic2__check_stream(stream, what);
    if (status != PYMIC2_OK)
        return status;
    if (pymic2__forked_child(stream->device->name))
        return PYMIC2_ESYSTEM;
    uint64_t target = atomic_load(&stream->enqueued);
    if (!wait_completed_until(stream, target, pymic2__deadline_ns(timeout_ms)))
        return pymic2__error(PYMIC2_ENOTREADY,
                             "%s: %llu of %llu commands finished after waiting %g ms",
                             stream->device->name,
                             (unsigned long long)atomic_load(&stream->completed),
                             (unsigned long long)target, timeout_ms);
    return take_first_error(stream);
}

int pymic2_stream_sync(pymic2_stream *stream)
{
    return wait_for_stream(stream, -1.0, "pymic2_stream_sync");
}

int pymic2_stream_wait(pymic2_stream *stream, double timeout_ms)
{
    return wait_for_stream(stream, timeout_ms, "pymic2_stream_wait");
}

int pymic2_stream_destroy(pymic2_stream *stream)
{
    int status = pymic2__check_stream(stream, "pymic2_stream_destroy");
    if (status != PYMIC2_OK)
        return status;
    if (stream->is_default)
        return pymic2__error(PYMIC2_EINVAL, "%s: the default stream cannot be destroyed",
                             stream->device->name);
    if (pymic2__in_forked_child()) {
        /* the parent's stream: its thread and commands stayed there; forget it */
        pymic2__record_kill(&stream->record);
        return PYMIC2_OK;
    }
    status = pymic2_stream_sync(stream);
    pymic2__record_kill(&stream->record);
    stream->device->ops->stream_destroy(stream);
    pymic2__stream_release(stream);
    return status;
}

void pymic2__stream_retain(pymic2_stream *stream)
{
    atomic_fetch_add(&stream->refs, 1);
}

void pymic2__stream_release(pymic2_stream *stream)
{
    if (atomic_fetch_sub(&stream->refs, 1) != 1)
        return;
    free(atomic_exchange(&stream->spare_command, NULL));
    pthread_mutex_destroy(&stream->submit_lock);
    pthread_cond_destroy(&stream->idle);
    pthread_mutex_destroy(&stream->lock);
    pymic2__record_retire(&retired_streams, &stream->record);
}

pymic2_device *pymic2_stream_device(const pymic2_stream *stream)
{
    return pymic2__check_stream(stream, "pymic2_stream_device") == PYMIC2_OK ? stream->device
                                                                              : NULL;
}

int pymic2_stream_query(pymic2_stream *stream)
{
    int status = pymic2__check_stream(stream, "pymic2_stream_query");
    if (status != PYMIC2_OK)
        return status;
    uint64_t enqueued = atomic_load(&stream->enqueued);
    uint64_t completed = atomic_load(&stream->completed);
    if (completed < enqueued)
        return pymic2__error(PYMIC2_ENOTREADY, "%s: %llu of %llu commands finished",
                             stream->device->name, (unsigned long long)completed,
                             (unsigned long long)enqueued);
    return PYMIC2_OK;
}

void pymic2__stream_add_busy(pymic2_stream *stream, pymic2__command_kind kind, double ms)
{
    pymic2__busy_class busy = (unsigned)kind < PYMIC2__NUM_COMMANDS
                                  ? pymic2__command_infos[kind].busy
                                  : PYMIC2__BUSY_COMPUTE; /* no kind: a test's command */
    if (busy == PYMIC2__BUSY_NONE || !(ms > 0))
        return;
    int transfer = busy == PYMIC2__BUSY_TRANSFER;
    atomic_fetch_add(&stream->busy_ns[transfer], (uint_fast64_t)(ms * 1e6));
}

int pymic2_stream_busy_time(pymic2_stream *stream, double *compute_ms, double *transfer_ms)
{
    int status = pymic2__check_stream(stream, "pymic2_stream_busy_time");
    if (status != PYMIC2_OK)
        return status;
    if (compute_ms != NULL)
        *compute_ms = (double)atomic_load(&stream->busy_ns[0]) / 1e6;
    if (transfer_ms != NULL)
        *transfer_ms = (double)atomic_load(&stream->busy_ns[1]) / 1e6;
    return PYMIC2_OK;
}

int pymic2_stream_progress(pymic2_stream *stream, uint64_t *enqueued, uint64_t *completed)
{
    int status = pymic2__check_stream(stream, "pymic2_stream_progress");
    if (status != PYMIC2_OK)
        return status;
    uint64_t done = atomic_load(&stream->completed);
    uint64_t submitted = atomic_load(&stream->enqueued);
    /* a command can finish before submit publishes its number */
    if (submitted < done)
        submitted = done;
    if (enqueued != NULL)
        *enqueued = submitted;
    if (completed != NULL)
        *completed = done;
    return PYMIC2_OK;
}
