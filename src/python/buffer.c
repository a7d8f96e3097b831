/*
 * buffer.c - Buffer: one reference of a pymic2_buffer (device memory from the pool).
 *
 * free() drops the reference at once (commands still in flight hold their own, so this is
 * safe right after an asynchronous command); every later use raises OffloadError.
 */
#include "pymic2py.h"

pymic2__py_buffer *pymic2__py_buffer_wrap(pymic2__py_device *device, pymic2_buffer *buffer)
{
    pymic2__py_buffer *self = PyObject_New(pymic2__py_buffer, &pymic2__py_buffer_type);
    if (self == NULL) {
        pymic2_buffer_release(buffer);
        return NULL;
    }
    self->buffer = buffer;
    self->nbytes = pymic2_buffer_size(buffer);
    Py_INCREF(device);
    self->device = device;
    return self;
}

pymic2_buffer *pymic2__py_buffer_get(pymic2__py_buffer *self, const char *what)
{
    if (self->buffer == NULL) {
        pymic2_device_info info = {0};
        pymic2_device_get_info(self->device->device, &info);
        PyErr_Format(pymic2__py_offload_error, "%s: %s: use of a deallocated buffer (%zu bytes)",
                     info.name != NULL ? info.name : "?", what, self->nbytes);
        return NULL;
    }
    return self->buffer;
}

static void buffer_dealloc(pymic2__py_buffer *self)
{
    if (self->buffer != NULL)
        pymic2_buffer_release(self->buffer);
    Py_XDECREF(self->device);
    PyObject_Free(self);
}

static PyObject *buffer_free(pymic2__py_buffer *self, PyObject *unused)
{
    (void)unused;
    if (pymic2__py_buffer_get(self, "Buffer.free") == NULL)
        return NULL;
    pymic2_buffer *buffer = self->buffer;
    self->buffer = NULL;
    int status = pymic2_buffer_release(buffer);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

static PyObject *buffer_get_address(pymic2__py_buffer *self, void *closure)
{
    (void)closure;
    pymic2_buffer *buffer = pymic2__py_buffer_get(self, "Buffer.address");
    if (buffer == NULL)
        return NULL;
    uintptr_t address;
    int status = pymic2_buffer_device_address(buffer, &address);
    if (status < 0)
        return pymic2__py_raise(status);
    return PyLong_FromUnsignedLongLong(address);
}

static PyObject *buffer_get_nbytes(pymic2__py_buffer *self, void *closure)
{
    (void)closure;
    return PyLong_FromSize_t(self->nbytes);
}

static PyObject *buffer_get_freed(pymic2__py_buffer *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->buffer == NULL);
}

static PyObject *buffer_get_device(pymic2__py_buffer *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->device);
    return (PyObject *)self->device;
}

static PyObject *buffer_repr(pymic2__py_buffer *self)
{
    if (self->buffer == NULL)
        return PyUnicode_FromFormat("<pymic2 Buffer of %zu bytes on %S, deallocated>",
                                    self->nbytes, (PyObject *)self->device);
    return PyUnicode_FromFormat("<pymic2 Buffer of %zu bytes on %S>", self->nbytes,
                                (PyObject *)self->device);
}

static int buffer_wait_slice(void *buffer, double timeout_ms)
{
    return pymic2_buffer_wait(buffer, timeout_ms);
}

static PyObject *buffer_sync(pymic2__py_buffer *self, PyObject *unused)
{
    (void)unused;
    pymic2_buffer *buffer = pymic2__py_buffer_get(self, "Buffer.sync");
    if (buffer == NULL)
        return NULL;
    int status;
    if (pymic2__py_wait_interruptibly(buffer_wait_slice, buffer, NULL, &status) < 0)
        return NULL;
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

static PyMethodDef buffer_methods[] = {
    {"sync", (PyCFunction)buffer_sync, METH_NOARGS,
     "Waits for the commands enqueued so far that use the buffer, on any stream."},
    {"free", (PyCFunction)buffer_free, METH_NOARGS,
     "Returns the memory to the device's pool; any later use raises OffloadError."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef buffer_getset[] = {
    {"address", (getter)buffer_get_address, NULL, "The address kernels on the device see.", NULL},
    {"nbytes", (getter)buffer_get_nbytes, NULL, "Size in bytes as requested.", NULL},
    {"freed", (getter)buffer_get_freed, NULL, "True after free().", NULL},
    {"device", (getter)buffer_get_device, NULL, "The device that holds the memory.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pymic2__py_buffer_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.Buffer",
    .tp_doc = "Device memory from the pool (allocated by Device.alloc).",
    .tp_basicsize = sizeof(pymic2__py_buffer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)buffer_dealloc,
    .tp_repr = (reprfunc)buffer_repr,
    .tp_methods = buffer_methods,
    .tp_getset = buffer_getset,
};
