/*
 * transfer.c - host <-> device and device <-> device copies: validation, then a command.
 */
#include "core.h"

int pymic2__check_buffer_range(const pymic2_stream *stream, const pymic2_buffer *buffer,
                               const char *what, size_t offset, size_t nbytes)
{
    const char *name = stream->device->name;
    if (buffer == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: buffer is NULL", name, what);
    if (atomic_load(&buffer->refcount) <= 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: %s: the buffer was released", name, what);
    if (buffer->device != stream->device)
        return pymic2__error(PYMIC2_EDEVICE,
                             "%s: %s: the buffer is on %s but the stream is on %s", name, what,
                             buffer->device->name, name);
    if (offset > buffer->size || nbytes > buffer->size - offset)
        return pymic2__error(PYMIC2_ERANGE,
                             "%s: %s: %zu bytes at offset %zu pass the end of a %zu-byte buffer",
                             name, what, nbytes, offset, buffer->size);
    return PYMIC2_OK;
}

/* Builds and submits one copy command; the device side was checked by the callers. */
static int submit_copy(pymic2_stream *stream, pymic2__command_kind kind,
                       pymic2_buffer *dst_buffer, size_t dst_offset, void *dst_host,
                       pymic2_buffer *src_buffer, size_t src_offset, const void *src_host,
                       size_t nbytes)
{
    if (nbytes == 0)
        return PYMIC2_OK;
    pymic2__command *command = pymic2__command_new(stream, kind);
    if (command == NULL)
        return PYMIC2_ENOMEM;
    if (dst_buffer != NULL)
        pymic2__command_use_buffer(command, dst_buffer);
    if (src_buffer != NULL)
        pymic2__command_use_buffer(command, src_buffer);
    command->u.copy.dst_buffer = dst_buffer;
    command->u.copy.dst_offset = dst_offset;
    command->u.copy.dst_host = dst_host;
    command->u.copy.src_buffer = src_buffer;
    command->u.copy.src_offset = src_offset;
    command->u.copy.src_host = src_host;
    command->u.copy.nbytes = nbytes;
    return pymic2__command_submit(command);
}

int pymic2_memcpy_h2d(pymic2_stream *stream, pymic2_buffer *dst, size_t dst_offset,
                      const void *src, size_t nbytes)
{
    if (stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_memcpy_h2d: stream is NULL");
    if (src == NULL && nbytes != 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: copy to the device: host source is NULL",
                             stream->device->name);
    int status = pymic2__check_buffer_range(stream, dst, "copy to the device", dst_offset,
                                            nbytes);
    if (status != PYMIC2_OK)
        return status;
    return submit_copy(stream, PYMIC2__CMD_COPY_H2D, dst, dst_offset, NULL, NULL, 0, src,
                       nbytes);
}

int pymic2_memcpy_d2h(pymic2_stream *stream, void *dst, pymic2_buffer *src, size_t src_offset,
                      size_t nbytes)
{
    if (stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_memcpy_d2h: stream is NULL");
    if (dst == NULL && nbytes != 0)
        return pymic2__error(PYMIC2_EINVAL, "%s: copy to the host: host destination is NULL",
                             stream->device->name);
    int status = pymic2__check_buffer_range(stream, src, "copy to the host", src_offset,
                                            nbytes);
    if (status != PYMIC2_OK)
        return status;
    return submit_copy(stream, PYMIC2__CMD_COPY_D2H, NULL, 0, dst, src, src_offset, NULL,
                       nbytes);
}

int pymic2_memcpy_d2d(pymic2_stream *stream, pymic2_buffer *dst, size_t dst_offset,
                      pymic2_buffer *src, size_t src_offset, size_t nbytes)
{
    if (stream == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_memcpy_d2d: stream is NULL");
    int status = pymic2__check_buffer_range(stream, dst, "copy destination", dst_offset,
                                            nbytes);
    if (status == PYMIC2_OK)
        status = pymic2__check_buffer_range(stream, src, "copy source", src_offset, nbytes);
    if (status != PYMIC2_OK)
        return status;
    return submit_copy(stream, PYMIC2__CMD_COPY_D2D, dst, dst_offset, NULL, src, src_offset,
                       NULL, nbytes);
}
