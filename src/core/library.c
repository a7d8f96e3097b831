/*
 * library.c - user kernel libraries, their kernels, and kernel invocation.
 */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int pymic2_library_load(pymic2_device *device, const char *path, pymic2_library **library)
{
    if (device == NULL || path == NULL || library == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_library_load: %s is NULL",
                             device == NULL ? "device" : path == NULL ? "path" : "library");
    if (device->ops->library_load == NULL)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: cannot load libraries (%s)", device->name,
                             path);
    if (pymic2__forked_child(device->name))
        return PYMIC2_ESYSTEM;
    pymic2_library *made = calloc(1, sizeof *made);
    char *path_copy = strdup(path);
    if (made == NULL || path_copy == NULL) {
        free(made);
        free(path_copy);
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the library record for %s",
                             device->name, path);
    }
    made->device = device;
    made->path = path_copy;
    pthread_mutex_init(&made->lock, NULL);
    int status = device->ops->library_load(made, path);
    if (status != PYMIC2_OK) {
        pthread_mutex_destroy(&made->lock);
        free(made->path);
        free(made);
        return status;
    }
    *library = made;
    return PYMIC2_OK;
}

int pymic2_library_unload(pymic2_library *library)
{
    if (library == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_library_unload: library is NULL");
    if (pymic2__in_forked_child())
        return PYMIC2_OK; /* the parent's library: its pending calls stayed there */
    /* enqueued invocations still call into the library's code */
    while (atomic_load(&library->pending_invokes) > 0) {
        struct timespec pause = {0, 50000};
        nanosleep(&pause, NULL);
    }
    library->device->ops->library_unload(library);
    while (library->kernels != NULL) {
        pymic2_kernel *next = library->kernels->next;
        free(library->kernels->name);
        free(library->kernels);
        library->kernels = next;
    }
    pthread_mutex_destroy(&library->lock);
    free(library->path);
    free(library);
    return PYMIC2_OK;
}

pymic2_device *pymic2_library_device(const pymic2_library *library)
{
    return library == NULL ? NULL : library->device;
}

int pymic2_kernel_find(pymic2_library *library, const char *name, pymic2_kernel **kernel)
{
    if (library == NULL || name == NULL || kernel == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_kernel_find: %s is NULL",
                             library == NULL ? "library" : name == NULL ? "name" : "kernel");
    int status = PYMIC2_OK;
    pthread_mutex_lock(&library->lock);
    pymic2_kernel *found = library->kernels;
    while (found != NULL && strcmp(found->name, name) != 0)
        found = found->next;
    if (found == NULL) {
        void *entry = NULL;
        status = library->device->ops->kernel_find(library, name, &entry);
        if (status == PYMIC2_OK) {
            found = calloc(1, sizeof *found);
            char *name_copy = strdup(name);
            if (found == NULL || name_copy == NULL) {
                free(found);
                free(name_copy);
                found = NULL;
                status = pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate kernel %s of %s",
                                       library->device->name, name, library->path);
            } else {
                found->library = library;
                found->name = name_copy;
                found->entry = entry;
                found->next = library->kernels;
                library->kernels = found;
            }
        }
    }
    pthread_mutex_unlock(&library->lock);
    if (status == PYMIC2_OK)
        *kernel = found;
    return status;
}

const char *pymic2_kernel_name(const pymic2_kernel *kernel)
{
    return kernel == NULL ? NULL : kernel->name;
}

int pymic2_kernel_address(const pymic2_kernel *kernel, uintptr_t *address)
{
    if (kernel == NULL || address == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_kernel_address: %s is NULL",
                             kernel == NULL ? "kernel" : "address");
    const pymic2_device *device = kernel->library->device;
    /* a backend whose memory has no addresses (OpenCL) has none for code either: its entry
     * is a handle, not a function */
    if (device->ops->mem_address == NULL)
        return pymic2__error(PYMIC2_ENOTSUP, "%s: kernel %s has no device address",
                             device->name, kernel->name);
    *address = (uintptr_t)kernel->entry;
    return PYMIC2_OK;
}

static int check_arg(const pymic2_stream *stream, const pymic2_kernel *kernel, int index,
                     const pymic2_kernel_arg *arg)
{
    char what[160];
    snprintf(what, sizeof what, "kernel %s argument %d", kernel->name, index);
    switch (arg->kind) {
    case PYMIC2_ARG_NULL:
    case PYMIC2_ARG_INT64:
    case PYMIC2_ARG_FLOAT64:
    case PYMIC2_ARG_COMPLEX128:
        return PYMIC2_OK;
    case PYMIC2_ARG_BUFFER:
        return pymic2__check_buffer_range(stream, arg->buffer, what, arg->offset, 0);
    }
    return pymic2__error(PYMIC2_EINVAL, "%s: %s has unknown kind %d", stream->device->name,
                         what, (int)arg->kind);
}

static int check_config(const pymic2_stream *stream, const pymic2_kernel *kernel,
                        const pymic2_launch_config *config)
{
    if (config->work_dim < 1 || config->work_dim > 3)
        return pymic2__error(PYMIC2_EINVAL, "%s: kernel %s: work_dim %d is not 1, 2 or 3",
                             stream->device->name, kernel->name, config->work_dim);
    for (int d = 0; d < config->work_dim; d++)
        if (config->global_size[d] == 0)
            return pymic2__error(PYMIC2_EINVAL, "%s: kernel %s: global_size[%d] is 0",
                                 stream->device->name, kernel->name, d);
    return PYMIC2_OK;
}

int pymic2_kernel_invoke(pymic2_stream *stream, pymic2_kernel *kernel, int nargs,
                         const pymic2_kernel_arg *args, const pymic2_launch_config *config)
{
    if (stream == NULL || kernel == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_kernel_invoke: %s is NULL",
                             stream == NULL ? "stream" : "kernel");
    const char *name = stream->device->name;
    if (nargs < 0 || nargs > PYMIC2_MAX_KERNEL_ARGS)
        return pymic2__error(PYMIC2_EINVAL, "%s: kernel %s: %d arguments, the limit is %d",
                             name, kernel->name, nargs, PYMIC2_MAX_KERNEL_ARGS);
    if (nargs > 0 && args == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: kernel %s: %d arguments but args is NULL",
                             name, kernel->name, nargs);
    if (kernel->library->device != stream->device)
        return pymic2__error(PYMIC2_EDEVICE,
                             "kernel %s was loaded on %s but the stream is on %s",
                             kernel->name, kernel->library->device->name, name);
    for (int i = 0; i < nargs; i++) {
        int status = check_arg(stream, kernel, i, &args[i]);
        if (status != PYMIC2_OK)
            return status;
    }
    if (config != NULL) {
        int status = check_config(stream, kernel, config);
        if (status != PYMIC2_OK)
            return status;
    }
    pymic2__command *command = pymic2__command_new(stream, PYMIC2__CMD_INVOKE);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    for (int i = 0; i < nargs; i++) {
        command->u.invoke.args[i] = args[i];
        if (args[i].kind == PYMIC2_ARG_BUFFER)
            pymic2__command_use_buffer(command, args[i].buffer);
    }
    command->u.invoke.kernel = kernel;
    command->u.invoke.nargs = nargs;
    if (config != NULL) {
        command->u.invoke.config = *config;
        command->u.invoke.has_config = true;
    }
    atomic_fetch_add(&kernel->library->pending_invokes, 1);
    return pymic2__command_submit(command);
}
