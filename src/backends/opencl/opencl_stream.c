/*
 * opencl_stream.c - streams as in-order command queues.
 *
 * submit() enqueues a command's CL work without blocking and appends it to the stream's
 * pending list with the CL event of its last piece. One completion thread per stream waits
 * for those events in list order and calls pymic2__command_finish for each: finish must run
 * exactly once per command and in stream order, which clSetEventCallback does not promise.
 * A command whose CL work fails at run time is finished with its error, which the core
 * reports at the next sync (EASYNC).
 *
 * Cross-stream waits: EVENT_WAIT enqueues a barrier behind a user event; the completion
 * thread, on reaching the command, waits for the pyMIC2 event's record (finished by the
 * other stream's completion thread) and then completes the user event, which releases the
 * queue. EVENT_RECORD is a marker; the core stamps the event with the host clock when the
 * marker's completion is seen.
 *
 * User kernels (INVOKE) take their arguments as OpenCL C parameters (see pymic2.h):
 * buffers as __global pointers to buffer + offset (a sub-buffer when the offset is not 0),
 * INT64 as long, FLOAT64 as double, COMPLEX128 as double2, NULL as a NULL __global pointer.
 */
#include "ocl_ops.h"
#include "opencl_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sub-buffers of one invocation's arguments, or the staging buffer of an overlapping copy. */
#define MAX_TEMPORARIES PYMIC2_MAX_KERNEL_ARGS

typedef struct pymic2__ocl_pending {
    pymic2__command *command;
    cl_event done;        /* completion of the command's last CL piece */
    cl_event user_event;  /* EVENT_WAIT: completed by the completion thread */
    int ntemporaries;
    cl_mem temporaries[MAX_TEMPORARIES]; /* released after done */
    char what[96];        /* names the command in messages */
    /* a device-side check (see pymic2__ocl_check): its findings, read behind the command */
    pymic2__ocl_report_fn report;
    _Alignas(8) unsigned char findings[PYMIC2__OCL_CHECK_BYTES];
    struct pymic2__ocl_pending *next;
} pending;

typedef struct ocl_kernel {
    cl_kernel kernel;
    pthread_mutex_t lock; /* arguments are kernel state: set and enqueue as one step */
} ocl_kernel;

/* ---------------------------------------------------------------- completion */

static void release_pending(pending *entry)
{
    if (entry->done != NULL)
        clReleaseEvent(entry->done);
    if (entry->user_event != NULL)
        clReleaseEvent(entry->user_event);
    for (int i = 0; i < entry->ntemporaries; i++)
        clReleaseMemObject(entry->temporaries[i]);
    free(entry);
}

static int completion_status(pymic2_device *device, pending *entry)
{
    cl_int err = clWaitForEvents(1, &entry->done);
    cl_int execution = CL_COMPLETE;
    cl_int query = clGetEventInfo(entry->done, CL_EVENT_COMMAND_EXECUTION_STATUS,
                                  sizeof execution, &execution, NULL);
    if (query == CL_SUCCESS && execution < 0)
        err = execution;
    else if (query != CL_SUCCESS && err == CL_SUCCESS)
        err = query;
    if (err == CL_SUCCESS)
        return PYMIC2_OK;
    return pymic2__ocl_status(err, device, entry->what);
}

/* The device time a command kept the queue busy, for pymic2_stream_busy_time: from when
 * its last piece was queued, or the previous command ended if that was later (the queue is in
 * order), to its end. Exact when the queue was busy; when it was idle, the time the
 * command's earlier pieces ran before its last was queued (microseconds) is missed. */
static void add_busy_time(pymic2_stream *stream, pymic2__command_kind kind, cl_event done,
                          cl_ulong *previous_end)
{
    cl_ulong queued = 0, end = 0;
    if (clGetEventProfilingInfo(done, CL_PROFILING_COMMAND_QUEUED, sizeof queued, &queued,
                                NULL) != CL_SUCCESS ||
        clGetEventProfilingInfo(done, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL) !=
            CL_SUCCESS)
        return;
    const cl_ulong start = queued > *previous_end ? queued : *previous_end;
    if (end > start)
        pymic2__stream_add_busy(stream, kind, (double)(end - start) / 1e6);
    if (end > *previous_end)
        *previous_end = end;
}

static void *completer_main(void *argument)
{
    pymic2_stream *stream = argument;
    pymic2__ocl_stream *queue = pymic2__ocl_stream_of(stream);
    cl_ulong previous_end = 0; /* device clock, ns */
    for (;;) {
        pthread_mutex_lock(&queue->lock);
        while (queue->pending_head == NULL && !queue->stopping)
            pthread_cond_wait(&queue->changed, &queue->lock);
        pending *entry = queue->pending_head;
        if (entry == NULL) { /* stopping, and nothing left */
            pthread_mutex_unlock(&queue->lock);
            return NULL;
        }
        queue->pending_head = entry->next;
        if (queue->pending_head == NULL)
            queue->pending_tail = NULL;
        pthread_mutex_unlock(&queue->lock);

        pymic2__command *command = entry->command;
        if (command->kind == PYMIC2__CMD_EVENT_WAIT) {
            pymic2__event_wait(command->u.event.event, command->u.event.generation);
            clSetUserEventStatus(entry->user_event, CL_COMPLETE);
        }
        pymic2__error_clear();
        int status = completion_status(stream->device, entry);
        if (status == PYMIC2_OK)
            add_busy_time(stream, command->kind, entry->done, &previous_end);
        if (status == PYMIC2_OK && entry->report != NULL)
            status = entry->report(stream, command, entry->findings);
        release_pending(entry);
        pymic2__command_finish(command, status);
    }
}

int pymic2__ocl_stream_create(pymic2_stream *stream)
{
    pymic2_device *device = stream->device;
    pymic2__ocl_device *ocl = pymic2__ocl_device_of(device);
    pymic2__ocl_stream *queue = calloc(1, sizeof *queue);
    if (queue == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate a stream", device->name);
    cl_int err;
    queue->queue = clCreateCommandQueue(ocl->context, ocl->id, CL_QUEUE_PROFILING_ENABLE, &err);
    if (queue->queue == NULL) {
        free(queue);
        return pymic2__ocl_status(err, device, "clCreateCommandQueue");
    }
    pthread_mutex_init(&queue->lock, NULL);
    pthread_cond_init(&queue->changed, NULL);
    stream->backend_data = queue;
    int failed = pthread_create(&queue->completer, NULL, completer_main, stream);
    if (failed != 0) {
        stream->backend_data = NULL;
        pthread_cond_destroy(&queue->changed);
        pthread_mutex_destroy(&queue->lock);
        clReleaseCommandQueue(queue->queue);
        free(queue);
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot start a stream's completion thread: %s",
                             device->name, strerror(failed));
    }
    return PYMIC2_OK;
}

void pymic2__ocl_stream_destroy(pymic2_stream *stream)
{
    pymic2__ocl_stream *queue = pymic2__ocl_stream_of(stream);
    pthread_mutex_lock(&queue->lock);
    queue->stopping = true;
    pthread_cond_signal(&queue->changed);
    pthread_mutex_unlock(&queue->lock);
    pthread_join(queue->completer, NULL);
    clReleaseCommandQueue(queue->queue);
    pthread_cond_destroy(&queue->changed);
    pthread_mutex_destroy(&queue->lock);
    free(queue);
    stream->backend_data = NULL;
}

/* ---------------------------------------------------------------- enqueueing */

/* An empty command still needs an event that completes in order. */
static cl_int enqueue_marker(cl_command_queue queue, cl_event *done)
{
    return clEnqueueMarkerWithWaitList(queue, 0, NULL, done);
}

static size_t device_offset(const pymic2_buffer *buffer, size_t offset)
{
    return buffer->offset + offset;
}

static int enqueue_copy(pymic2_stream *stream, pending *entry)
{
    cl_command_queue queue = pymic2__ocl_stream_of(stream)->queue;
    pymic2__command *command = entry->command;
    const typeof(command->u.copy) *copy = &command->u.copy;
    cl_int err;
    if (copy->nbytes == 0) {
        err = enqueue_marker(queue, &entry->done);
    } else if (command->kind == PYMIC2__CMD_COPY_H2D) {
        /* unstaged means the stream was idle: finish now, the caller may reuse its memory */
        cl_bool blocking = copy->staging == NULL ? CL_TRUE : CL_FALSE;
        err = clEnqueueWriteBuffer(queue, pymic2__ocl_mem_of(copy->dst_buffer), blocking,
                                   device_offset(copy->dst_buffer, copy->dst_offset),
                                   copy->nbytes, copy->src_host, 0, NULL, &entry->done);
    } else if (command->kind == PYMIC2__CMD_COPY_D2H) {
        err = clEnqueueReadBuffer(queue, pymic2__ocl_mem_of(copy->src_buffer), CL_FALSE,
                                  device_offset(copy->src_buffer, copy->src_offset),
                                  copy->nbytes, copy->dst_host, 0, NULL, &entry->done);
    } else {
        cl_mem src = pymic2__ocl_mem_of(copy->src_buffer);
        cl_mem dst = pymic2__ocl_mem_of(copy->dst_buffer);
        size_t src_at = device_offset(copy->src_buffer, copy->src_offset);
        size_t dst_at = device_offset(copy->dst_buffer, copy->dst_offset);
        bool overlap = src == dst && src_at < dst_at + copy->nbytes &&
                       dst_at < src_at + copy->nbytes;
        if (!overlap) {
            err = clEnqueueCopyBuffer(queue, src, dst, src_at, dst_at, copy->nbytes, 0, NULL,
                                      &entry->done);
        } else {
            /* CL forbids overlapping copies (memmove semantics): go through a staging buffer */
            cl_mem staging = clCreateBuffer(pymic2__ocl_device_of(stream->device)->context,
                                            CL_MEM_READ_WRITE, copy->nbytes, NULL, &err);
            if (staging == NULL)
                return pymic2__ocl_status(err, stream->device, "staging buffer of a copy");
            entry->temporaries[entry->ntemporaries++] = staging;
            err = clEnqueueCopyBuffer(queue, src, staging, src_at, 0, copy->nbytes, 0, NULL,
                                      NULL);
            if (err == CL_SUCCESS)
                err = clEnqueueCopyBuffer(queue, staging, dst, 0, dst_at, copy->nbytes, 0, NULL,
                                          &entry->done);
        }
    }
    if (err != CL_SUCCESS)
        return pymic2__ocl_status(err, stream->device, entry->what);
    return PYMIC2_OK;
}

/* The __global pointer a buffer argument becomes: the chunk itself or a sub-buffer. */
static int buffer_argument(pymic2_stream *stream, pending *entry, const char *kernel_name,
                           int index, const pymic2_kernel_arg *arg, cl_mem *mem)
{
    pymic2_device *device = stream->device;
    pymic2_buffer *buffer = arg->buffer;
    size_t origin = device_offset(buffer, arg->offset);
    size_t size = buffer->size - arg->offset;
    if (origin == 0) { /* the chunk's start: no sub-buffer needed */
        *mem = pymic2__ocl_mem_of(buffer);
        return PYMIC2_OK;
    }
    if (size == 0) { /* an empty range: nothing may be addressed */
        *mem = NULL;
        return PYMIC2_OK;
    }
    cl_uint align = pymic2__ocl_device_of(device)->mem_base_addr_align;
    if (origin % align != 0)
        return pymic2__error(PYMIC2_EINVAL,
                             "%s: kernel %s argument %d: offset %zu into the buffer starts at "
                             "byte %zu of its device allocation, which is not a multiple of "
                             "the device's %u-byte base alignment",
                             device->name, kernel_name, index, arg->offset, origin, align);
    cl_buffer_region region = {origin, size};
    cl_int err;
    cl_mem sub = clCreateSubBuffer(pymic2__ocl_mem_of(buffer), CL_MEM_READ_WRITE,
                                   CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
    if (sub == NULL) {
        char what[160];
        snprintf(what, sizeof what, "kernel %s argument %d: sub-buffer of %zu bytes at %zu",
                 kernel_name, index, size, origin);
        return pymic2__ocl_status(err, device, what);
    }
    entry->temporaries[entry->ntemporaries++] = sub;
    *mem = sub;
    return PYMIC2_OK;
}

static int set_argument(pymic2_stream *stream, pending *entry, const char *kernel_name,
                        cl_kernel kernel, int index, const pymic2_kernel_arg *arg)
{
    cl_int err;
    const char *type;
    switch (arg->kind) {
    case PYMIC2_ARG_NULL:
        type = "__global pointer (None)";
        err = clSetKernelArg(kernel, (cl_uint)index, sizeof(cl_mem), NULL);
        break;
    case PYMIC2_ARG_BUFFER: {
        cl_mem mem;
        int status = buffer_argument(stream, entry, kernel_name, index, arg, &mem);
        if (status != PYMIC2_OK)
            return status;
        type = "__global pointer";
        err = clSetKernelArg(kernel, (cl_uint)index, sizeof(cl_mem), mem == NULL ? NULL : &mem);
        break;
    }
    case PYMIC2_ARG_INT64: {
        cl_long value = arg->value.i64;
        type = "long";
        err = clSetKernelArg(kernel, (cl_uint)index, sizeof value, &value);
        break;
    }
    case PYMIC2_ARG_FLOAT64: {
        cl_double value = arg->value.f64;
        type = "double";
        err = clSetKernelArg(kernel, (cl_uint)index, sizeof value, &value);
        break;
    }
    case PYMIC2_ARG_COMPLEX128: {
        cl_double2 value = {{arg->value.c128[0], arg->value.c128[1]}};
        type = "double2";
        err = clSetKernelArg(kernel, (cl_uint)index, sizeof value, &value);
        break;
    }
    default:
        return pymic2__error(PYMIC2_EINVAL, "%s: kernel %s argument %d has unknown kind %d",
                             stream->device->name, kernel_name, index, (int)arg->kind);
    }
    if (err == CL_SUCCESS)
        return PYMIC2_OK;
    char what[192];
    snprintf(what, sizeof what, "kernel %s argument %d (passed as %s)", kernel_name, index,
             type);
    return pymic2__ocl_status(err, stream->device, what);
}

static int enqueue_invoke(pymic2_stream *stream, pending *entry)
{
    pymic2__command *command = entry->command;
    pymic2_device *device = stream->device;
    const char *name = command->u.invoke.kernel->name;
    if (!command->u.invoke.has_config)
        return pymic2__error(PYMIC2_EINVAL,
                             "%s: kernel %s needs a launch geometry on an OpenCL device: "
                             "pass global_size (and optionally local_size)",
                             device->name, name);
    const pymic2_launch_config *config = &command->u.invoke.config;
    bool has_local = false;
    for (int d = 0; d < config->work_dim; d++)
        has_local |= config->local_size[d] != 0;
    ocl_kernel *kernel = command->u.invoke.kernel->entry;
    cl_uint expected = 0;
    clGetKernelInfo(kernel->kernel, CL_KERNEL_NUM_ARGS, sizeof expected, &expected, NULL);
    if ((cl_uint)command->u.invoke.nargs != expected)
        return pymic2__error(PYMIC2_EINVAL, "%s: kernel %s takes %u arguments, %d given",
                             device->name, name, expected, command->u.invoke.nargs);
    pthread_mutex_lock(&kernel->lock);
    int status = PYMIC2_OK;
    for (int i = 0; i < command->u.invoke.nargs && status == PYMIC2_OK; i++)
        status = set_argument(stream, entry, name, kernel->kernel, i,
                              &command->u.invoke.args[i]);
    if (status == PYMIC2_OK) {
        cl_int err = clEnqueueNDRangeKernel(pymic2__ocl_stream_of(stream)->queue, kernel->kernel,
                                            (cl_uint)config->work_dim, NULL, config->global_size,
                                            has_local ? config->local_size : NULL, 0, NULL,
                                            &entry->done);
        if (err != CL_SUCCESS) {
            char what[160];
            snprintf(what, sizeof what, "launch of kernel %s (global %zu x %zu x %zu, local "
                     "%zu x %zu x %zu)", name, config->global_size[0],
                     config->work_dim > 1 ? config->global_size[1] : 1,
                     config->work_dim > 2 ? config->global_size[2] : 1, config->local_size[0],
                     config->work_dim > 1 ? config->local_size[1] : 1,
                     config->work_dim > 2 ? config->local_size[2] : 1);
            status = pymic2__ocl_status(err, device, what);
        }
    }
    pthread_mutex_unlock(&kernel->lock);
    return status;
}

static int enqueue_event_wait(pymic2_stream *stream, pending *entry)
{
    cl_int err;
    entry->user_event = clCreateUserEvent(pymic2__ocl_device_of(stream->device)->context, &err);
    if (entry->user_event == NULL)
        return pymic2__ocl_status(err, stream->device, "clCreateUserEvent of an event wait");
    err = clEnqueueBarrierWithWaitList(pymic2__ocl_stream_of(stream)->queue, 1,
                                       &entry->user_event, &entry->done);
    if (err != CL_SUCCESS) {
        /* never enqueued: complete it so nothing can wait on it */
        clSetUserEventStatus(entry->user_event, CL_COMPLETE);
        return pymic2__ocl_status(err, stream->device, entry->what);
    }
    return PYMIC2_OK;
}

/* A computation (the command's compute slot), and the read of its device-side check's
 * findings behind it: that read's event becomes the command's, so the completion thread sees
 * the findings when it runs. */
static int enqueue_compute(pymic2_stream *stream, pending *entry)
{
    pymic2__ocl_launch launch = {0};
    pymic2__command *command = entry->command;
    pymic2__compute_fn compute = pymic2__compute_slot(command);
    if (compute == NULL) /* submit checked the families: this is no kind */
        return pymic2__error(PYMIC2_EBACKEND, "%s: unknown command kind %d", stream->device->name,
                             (int)command->kind);
    int status = compute(stream, command, &launch);
    entry->done = launch.done;
    if (status != PYMIC2_OK || launch.check.result == NULL)
        return status;
    entry->temporaries[entry->ntemporaries++] = launch.check.result;
    cl_event computed = entry->done;
    cl_int err = clEnqueueReadBuffer(pymic2__ocl_stream_of(stream)->queue, launch.check.result,
                                     CL_FALSE, 0, launch.check.bytes, entry->findings, 0, NULL,
                                     &entry->done);
    if (err != CL_SUCCESS) {
        /* the kernels are queued: let them finish before the caller releases their buffers */
        clWaitForEvents(1, &computed);
        clReleaseEvent(computed);
        entry->done = NULL;
        return pymic2__ocl_status(err, stream->device, "reading a computation's check");
    }
    clReleaseEvent(computed);
    entry->report = launch.check.report;
    return PYMIC2_OK;
}

/* The command's name in the command table, with what tells it apart from others of its kind. */
static void describe(pymic2__command *command, char *what, size_t size)
{
    if ((unsigned)command->kind >= PYMIC2__NUM_COMMANDS) {
        snprintf(what, size, "command of kind %d", (int)command->kind);
        return;
    }
    const char *name = pymic2__command_infos[command->kind].name;
    switch (command->kind) {
    case PYMIC2__CMD_COPY_H2D:
    case PYMIC2__CMD_COPY_D2H:
    case PYMIC2__CMD_COPY_D2D:
        snprintf(what, size, "%s (%zu bytes)", name, command->u.copy.nbytes);
        break;
    case PYMIC2__CMD_INVOKE:
        snprintf(what, size, "%s %s", name, command->u.invoke.kernel->name);
        break;
    case PYMIC2__CMD_OP:
        snprintf(what, size, "%s (op %d)", name, (int)command->u.op.op);
        break;
    default:
        snprintf(what, size, "%s", name);
        break;
    }
}

static int enqueue(pymic2_stream *stream, pending *entry)
{
    pymic2__command *command = entry->command;
    cl_command_queue queue = pymic2__ocl_stream_of(stream)->queue;
    switch (command->kind) {
    case PYMIC2__CMD_COPY_H2D:
    case PYMIC2__CMD_COPY_D2H:
    case PYMIC2__CMD_COPY_D2D:
        return enqueue_copy(stream, entry);
    case PYMIC2__CMD_INVOKE:
        return enqueue_invoke(stream, entry);
    case PYMIC2__CMD_EVENT_RECORD: {
        cl_int err = enqueue_marker(queue, &entry->done);
        return err == CL_SUCCESS ? PYMIC2_OK : pymic2__ocl_status(err, stream->device,
                                                                  entry->what);
    }
    case PYMIC2__CMD_EVENT_WAIT:
        return enqueue_event_wait(stream, entry);
    default: /* an op family */
        return enqueue_compute(stream, entry);
    }
}

int pymic2__ocl_submit(pymic2_stream *stream, pymic2__command *command)
{
    pymic2__ocl_stream *queue = pymic2__ocl_stream_of(stream);
    pending *entry = calloc(1, sizeof *entry);
    if (entry == NULL)
        return pymic2__error(PYMIC2_ENOMEM, "%s: cannot allocate a pending command",
                             stream->device->name);
    entry->command = command;
    describe(command, entry->what, sizeof entry->what);
    int status = enqueue(stream, entry);
    if (status != PYMIC2_OK) {
        /* done is unset on failure; a piece already enqueued (the first half of a staged
         * copy) only touches temporaries, which CL keeps alive until it ran */
        entry->done = NULL;
        release_pending(entry);
        return status;
    }
    /* PoCL starts work only after a flush; the completion thread's wait alone would not */
    clFlush(queue->queue);
    pthread_mutex_lock(&queue->lock);
    if (queue->pending_tail == NULL)
        queue->pending_head = entry;
    else
        queue->pending_tail->next = entry;
    queue->pending_tail = entry;
    pthread_cond_signal(&queue->changed);
    pthread_mutex_unlock(&queue->lock);
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- user kernels */

int pymic2__ocl_kernel_create(pymic2_device *device, cl_program program, const char *name,
                              const char *path, void **entry)
{
    ocl_kernel *made = calloc(1, sizeof *made);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate kernel %s", device->name,
                             name);
    cl_int err;
    made->kernel = clCreateKernel(program, name, &err);
    if (made->kernel == NULL) {
        free(made);
        if (err == CL_INVALID_KERNEL_NAME)
            return pymic2__error(PYMIC2_ENOKERNEL, "%s: no kernel '%s' in %s", device->name,
                                 name, path);
        char what[160];
        snprintf(what, sizeof what, "clCreateKernel of %s in %s", name, path);
        return pymic2__ocl_status(err, device, what);
    }
    pthread_mutex_init(&made->lock, NULL);
    *entry = made;
    return PYMIC2_OK;
}

void pymic2__ocl_kernel_release(void *entry)
{
    ocl_kernel *kernel = entry;
    clReleaseKernel(kernel->kernel);
    pthread_mutex_destroy(&kernel->lock);
    free(kernel);
}
