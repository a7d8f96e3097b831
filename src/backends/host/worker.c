/*
 * worker.c - host streams: an in-order queue per stream, served by its own worker thread.
 *
 * The worker spins for a while after each command before it sleeps on a futex, so a
 * command submitted soon after the previous one (the usual invoke, sync, invoke pattern)
 * starts without a wake-up; the submitter only makes the wake-up system call when the
 * worker really sleeps.
 */
#include "host_internal.h"
#include "gemm.h"
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
    atomic_bool stopping;
    pthread_t thread;
} host_stream;

static pymic2__command *pop(host_stream *queue)
{
    pthread_mutex_lock(&queue->lock);
    pymic2__command *command = queue->head;
    if (command != NULL) {
        queue->head = command->next;
        if (queue->head == NULL)
            queue->tail = NULL;
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
    case PYMIC2__CMD_OP:
        return pymic2__host_run_op(host->team, &command->u.op);
    case PYMIC2__CMD_GEMM:
        return pymic2__host_gemm(queue->stream->device, &command->u.gemm);
    case PYMIC2__CMD_INVOKE:
        pymic2__host_invoke(command);
        return PYMIC2_OK;
    case PYMIC2__CMD_EVENT_RECORD: /* pymic2__command_finish completes it */
        return PYMIC2_OK;
    case PYMIC2__CMD_EVENT_WAIT:
        pymic2__event_wait(command->u.event.event, command->u.event.generation);
        return PYMIC2_OK;
    }
    return pymic2__error(PYMIC2_EBACKEND, "%s: unknown command kind %d",
                         queue->stream->device->name, (int)command->kind);
}

static void *worker_main(void *argument)
{
    host_stream *queue = argument;
    pymic2__team_set_region_flag(&queue->stream->saturated);
    for (;;) {
        uint32_t seen = atomic_load(&queue->submissions);
        pymic2__command *command = pop(queue);
        if (command != NULL) {
            pymic2__error_clear();
            pymic2__command_finish(command, run(queue, command));
            continue;
        }
        if (atomic_load(&queue->stopping))
            return NULL;
        if (PYMIC2__SPIN_UNTIL(atomic_load(&queue->submissions) != seen, PYMIC2__SPIN_NS))
            continue;
        /* pairs with the submitter's bump-then-check: one of the two sees the other */
        atomic_store(&queue->worker_sleeping, 1);
        while (atomic_load(&queue->submissions) == seen)
            pymic2__futex_wait(&queue->submissions, seen);
        atomic_store(&queue->worker_sleeping, 0);
    }
}

static void wake_worker(host_stream *queue)
{
    atomic_fetch_add(&queue->submissions, 1);
    if (atomic_load(&queue->worker_sleeping))
        pymic2__futex_wake_all(&queue->submissions);
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
