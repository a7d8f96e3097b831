/*
 * worker.c - host streams: an in-order queue per stream, served by its own worker thread.
 *
 * The worker spins for a while after each command before it sleeps on a futex, so a
 * command submitted soon after the previous one (the usual invoke, sync, invoke pattern)
 * starts without a wake-up; the submitter only makes the wake-up system call when the
 * worker really sleeps.
 *
 * The worker is not the only thread that runs a stream's commands: whoever holds the
 * stream's `executor` token does, one command at a time in queue order, so order is kept.
 * A thread in sync takes it when the worker does not hold it and runs the commands it
 * waits for itself (pymic2__host_assist): in this VM a sleeping or descheduled worker needs
 * 20-50 us to run after a wake-up, far more than a small command takes. And a copy, or an
 * op small enough to run on one thread (pymic2__host_op_runs_alone), submitted to an idle
 * stream (nothing queued or running) runs at once on the submitting thread, as CUDA does
 * with small pageable copies: it completes before the submit returns, and it needs no
 * hand-over to the worker, whose wake-up and queue cost more than a 128 x 128 a + b.
 *
 * A bounded wait (pymic2_stream_wait with a timeout: Python's sync, which must return to
 * check for Ctrl-C) runs only the runtime's own commands: a user kernel or an event wait may
 * never end, and would hold the caller with it. Those are left to the worker.
 */
#include "host_internal.h"
#include "host_ops.h"

#include "../../core/spin.h"
#include "futex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct host_stream {
    pymic2_stream *stream;
    pymic2__host_device *host;
    pthread_mutex_t lock; /* protects the queue */
    pymic2__command *head, *tail;
    _Atomic uint32_t submissions; /* bumped per submit; the sleeping worker waits on it */
    atomic_int worker_sleeping;
    atomic_bool executor; /* held by the one thread running this stream's commands */
    atomic_bool stopping;
    pthread_t thread;
} host_stream;

static bool take_executor(host_stream *queue)
{
    bool free_token = false; /* reads first: waiters poll this while the worker holds it */
    return !atomic_load(&queue->executor) &&
           atomic_compare_exchange_strong(&queue->executor, &free_token, true);
}

static bool queue_empty(host_stream *queue)
{
    pthread_mutex_lock(&queue->lock);
    bool empty = queue->head == NULL;
    pthread_mutex_unlock(&queue->lock);
    return empty;
}

/* Commands whose length the runtime does not control. */
static bool unbounded(const pymic2__command *command)
{
    return command->kind == PYMIC2__CMD_INVOKE || command->kind == PYMIC2__CMD_EVENT_WAIT;
}

/* The head of the queue if its number is at most last, and it is not unbounded when only
 * bounded commands may run (the executor token is held). */
static pymic2__command *pop_through(host_stream *queue, uint64_t last, bool bounded)
{
    pthread_mutex_lock(&queue->lock);
    pymic2__command *command = queue->head;
    if (command != NULL && command->sequence <= last && !(bounded && unbounded(command))) {
        queue->head = command->next;
        if (queue->head == NULL)
            queue->tail = NULL;
    } else {
        command = NULL;
    }
    pthread_mutex_unlock(&queue->lock);
    return command;
}

static int run(host_stream *queue, pymic2__command *command)
{
    pymic2__host_device *host = queue->host;
    switch (command->kind) {
    case PYMIC2__CMD_COPY_H2D:
        pymic2__host_copy(host,
                          pymic2__host_address(command->u.copy.dst_buffer,
                                               command->u.copy.dst_offset),
                          command->u.copy.src_host, command->u.copy.nbytes);
        return PYMIC2_OK;
    case PYMIC2__CMD_COPY_D2H:
        pymic2__host_copy(host, command->u.copy.dst_host,
                          pymic2__host_address(command->u.copy.src_buffer,
                                               command->u.copy.src_offset),
                          command->u.copy.nbytes);
        return PYMIC2_OK;
    case PYMIC2__CMD_COPY_D2D:
        pymic2__host_copy(host,
                          pymic2__host_address(command->u.copy.dst_buffer,
                                               command->u.copy.dst_offset),
                          pymic2__host_address(command->u.copy.src_buffer,
                                               command->u.copy.src_offset),
                          command->u.copy.nbytes);
        return PYMIC2_OK;
    case PYMIC2__CMD_INVOKE:
        pymic2__host_invoke(command);
        return PYMIC2_OK;
    case PYMIC2__CMD_EVENT_RECORD: /* pymic2__command_finish completes it */
        return PYMIC2_OK;
    case PYMIC2__CMD_EVENT_WAIT:
        pymic2__event_wait(command->u.event.event, command->u.event.generation);
        return PYMIC2_OK;
    default: { /* an op family: submit checked that the device has its slot */
        pymic2__compute_fn compute = pymic2__compute_slot(command);
        if (compute != NULL)
            return compute(queue->stream, command, NULL);
        return pymic2__error(PYMIC2_EBACKEND, "%s: unknown command kind %d",
                             queue->stream->device->name, (int)command->kind);
    }
    }
}

static void execute(host_stream *queue, pymic2__command *command)
{
    pymic2__error_clear();
    double start = pymic2__now_ms();
    int status = run(queue, command);
    pymic2__stream_add_busy(command->stream, command->kind, pymic2__now_ms() - start);
    pymic2__command_finish(command, status);
}

static void wake_worker(host_stream *queue)
{
    atomic_fetch_add(&queue->submissions, 1);
    if (atomic_load(&queue->worker_sleeping))
        pymic2__futex_wake_all(&queue->submissions);
}

/* A thread other than the worker gives the token back: if commands are left (submitted
 * after it stopped popping), the worker must see them even though it may have found the
 * token taken and gone to wait for a submission. */
static void release_executor(host_stream *queue)
{
    atomic_store(&queue->executor, false);
    if (!queue_empty(queue))
        wake_worker(queue);
}

/* Runs the head command if this thread can take the token; true if it ran one. */
static bool run_next(host_stream *queue)
{
    if (!take_executor(queue))
        return false;
    pymic2__command *command = pop_through(queue, UINT64_MAX, false);
    if (command != NULL)
        execute(queue, command);
    atomic_store(&queue->executor, false);
    return command != NULL;
}

static void *worker_main(void *argument)
{
    host_stream *queue = argument;
    pymic2__team_set_region_flag(&queue->stream->saturated);
    for (;;) {
        uint32_t seen = atomic_load(&queue->submissions);
        if (run_next(queue))
            continue;
        if (atomic_load(&queue->stopping))
            return NULL;
        if (PYMIC2__SPIN_UNTIL(atomic_load(&queue->submissions) != seen, queue->host->spin_ns))
            continue;
        /* pairs with the submitter's bump-then-check: one of the two sees the other */
        atomic_store(&queue->worker_sleeping, 1);
        while (atomic_load(&queue->submissions) == seen)
            pymic2__futex_wait(&queue->submissions, seen);
        atomic_store(&queue->worker_sleeping, 0);
    }
}

bool pymic2__host_assist(pymic2_stream *stream, uint64_t last, bool bounded)
{
    host_stream *queue = stream->backend_data;
    if (take_executor(queue)) {
        bool ran = false;
        pymic2__command *command;
        while ((command = pop_through(queue, last, bounded)) != NULL) {
            execute(queue, command);
            ran = true;
        }
        release_executor(queue);
        return ran;
    }
    return pymic2__team_help(queue->host->team);
}

int pymic2__host_stream_create(pymic2_stream *stream)
{
    pymic2_device *device = stream->device;
    host_stream *queue = calloc(1, sizeof *queue);
    if (queue == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate a stream queue",
                             device->name);
    queue->stream = stream;
    queue->host = pymic2__host_of(device);
    pthread_mutex_init(&queue->lock, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (queue->host->pin)
        pthread_attr_setaffinity_np(&attr, sizeof queue->host->cpu_set, &queue->host->cpu_set);
    int error = pthread_create(&queue->thread, &attr, worker_main, queue);
    pthread_attr_destroy(&attr);
    if (error != 0) {
        pthread_mutex_destroy(&queue->lock);
        free(queue);
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot start a stream worker thread: %s",
                             device->name, strerror(error));
    }
    char name[16]; /* the kernel's limit for thread names */
    snprintf(name, sizeof name, "pymic2-%.8s", device->name);
    pthread_setname_np(queue->thread, name);
    stream->backend_data = queue;
    return PYMIC2_OK;
}

void pymic2__host_stream_destroy(pymic2_stream *stream)
{
    host_stream *queue = stream->backend_data;
    atomic_store(&queue->stopping, true);
    wake_worker(queue);
    pthread_join(queue->thread, NULL);
    pthread_mutex_destroy(&queue->lock);
    free(queue);
    stream->backend_data = NULL;
}

int pymic2__host_submit(pymic2_stream *stream, pymic2__command *command)
{
    host_stream *queue = stream->backend_data;
    command->next = NULL;
    bool copy = command->kind == PYMIC2__CMD_COPY_H2D || command->kind == PYMIC2__CMD_COPY_D2H ||
                command->kind == PYMIC2__CMD_COPY_D2D;
    bool at_once = copy || (command->kind == PYMIC2__CMD_OP &&
                            pymic2__host_op_runs_alone(&command->u.op));
    /* holding the token with nothing queued: every earlier command has finished */
    if (at_once && take_executor(queue)) {
        if (queue_empty(queue)) {
            execute(queue, command);
            release_executor(queue);
            return PYMIC2_OK;
        }
        release_executor(queue);
    }
    int status = pymic2__copy_stage_source(command);
    if (status != PYMIC2_OK)
        return status;
    pthread_mutex_lock(&queue->lock);
    if (queue->tail != NULL)
        queue->tail->next = command;
    else
        queue->head = command;
    queue->tail = command;
    pthread_mutex_unlock(&queue->lock);
    wake_worker(queue);
    return PYMIC2_OK;
}
