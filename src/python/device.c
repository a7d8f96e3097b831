/*
 * device.c - Device: one core device, its default stream and its memory pool.
 *
 * The device list is fixed when the module is imported (the core discovers devices once),
 * so the Device objects are created then and live as long as the module.
 */
#include "pymic2py.h"

static PyObject *device_tuple; /* every Device, by global index */

pymic2__py_device *pymic2__py_device_of(pymic2_device *device)
{
    Py_ssize_t n = PyTuple_GET_SIZE(device_tuple);
    for (Py_ssize_t i = 0; i < n; i++) {
        pymic2__py_device *candidate = (pymic2__py_device *)PyTuple_GET_ITEM(device_tuple, i);
        if (candidate->device == device)
            return candidate;
    }
    PyErr_SetString(pymic2__py_offload_error, "a core device has no Device object");
    return NULL;
}

static pymic2__py_device *device_create(int index)
{
    pymic2_device *device;
    pymic2_stream *stream;
    int status = pymic2_device_get(index, &device);
    if (status == 0)
        status = pymic2_stream_default(device, &stream);
    if (status < 0)
        return (pymic2__py_device *)pymic2__py_raise(status);
    pymic2__py_device *self = PyObject_New(pymic2__py_device, &pymic2__py_device_type);
    if (self == NULL)
        return NULL;
    self->device = device;
    self->index = index;
    self->default_stream = (PyObject *)pymic2__py_stream_wrap(self, stream, 0);
    if (self->default_stream == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return self;
}

int pymic2__py_devices_init(PyObject *module)
{
    int count;
    int status = pymic2_device_count(&count);
    if (status < 0)
        return pymic2__py_fail(status);
    device_tuple = PyTuple_New(count);
    if (device_tuple == NULL)
        return -1;
    for (int i = 0; i < count; i++) {
        pymic2__py_device *device = device_create(i);
        if (device == NULL)
            return -1;
        PyTuple_SET_ITEM(device_tuple, i, (PyObject *)device);
    }
    Py_INCREF(device_tuple);
    if (PyModule_AddObject(module, "devices", device_tuple) < 0) {
        Py_DECREF(device_tuple);
        return -1;
    }
    return 0;
}

static void device_dealloc(pymic2__py_device *self)
{
    /* Only reached if module initialisation failed half-way; devices themselves stay. */
    Py_XDECREF(self->default_stream);
    PyObject_Free(self);
}

static int device_info(pymic2__py_device *self, pymic2_device_info *info)
{
    int status = pymic2_device_get_info(self->device, info);
    return status < 0 ? pymic2__py_fail(status) : 0;
}

static PyObject *device_repr(pymic2__py_device *self)
{
    pymic2_device_info info;
    if (device_info(self, &info) < 0)
        return NULL;
    return PyUnicode_FromFormat("<pymic2 Device %s: %s>", info.name, info.description);
}

static PyObject *device_str(pymic2__py_device *self)
{
    pymic2_device_info info;
    if (device_info(self, &info) < 0)
        return NULL;
    return PyUnicode_FromString(info.name);
}

/* Getters for pymic2_device_info fields, generated from one table: (attribute, builder). */
#define DEVICE_INFO_FIELDS(XX)                    \
    XX(name, PyUnicode_FromString)                \
    XX(backend, PyUnicode_FromString)             \
    XX(description, PyUnicode_FromString)         \
    XX(index, PyLong_FromLong)                    \
    XX(backend_index, PyLong_FromLong)            \
    XX(num_threads, PyLong_FromLong)              \
    XX(memory_bytes, PyLong_FromSize_t)           \
    XX(supports_fp64, PyBool_FromLong)

#define DEVICE_INFO_GETTER(field, build)                                         \
    static PyObject *device_get_##field(pymic2__py_device *self, void *closure) \
    {                                                                            \
        (void)closure;                                                           \
        pymic2_device_info info;                                                 \
        if (device_info(self, &info) < 0)                                        \
            return NULL;                                                         \
        return build(info.field);                                                \
    }
DEVICE_INFO_FIELDS(DEVICE_INFO_GETTER)
#undef DEVICE_INFO_GETTER

static PyObject *device_get_default_stream(pymic2__py_device *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->default_stream);
    return self->default_stream;
}

static PyObject *device_alloc(pymic2__py_device *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"nbytes", "alignment", NULL};
    Py_ssize_t nbytes;
    Py_ssize_t alignment = 64;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "n|n:alloc", keywords, &nbytes, &alignment))
        return NULL;
    if (nbytes < 0 || alignment < 0) {
        PyErr_Format(PyExc_ValueError, "%S: cannot allocate %zd bytes with alignment %zd",
                     (PyObject *)self, nbytes, alignment);
        return NULL;
    }
    pymic2_buffer *buffer;
    int status = pymic2_buffer_alloc(self->device, (size_t)nbytes, (size_t)alignment, &buffer);
    if (status < 0)
        return pymic2__py_raise(status);
    return (PyObject *)pymic2__py_buffer_wrap(self, buffer);
}

static PyObject *device_pool_stats(pymic2__py_device *self, PyObject *unused)
{
    (void)unused;
    pymic2_pool_stats stats;
    int status = pymic2_pool_get_stats(self->device, &stats);
    if (status < 0)
        return pymic2__py_raise(status);
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:n,s:n}", "used_bytes", (Py_ssize_t)stats.used_bytes,
                         "cached_bytes", (Py_ssize_t)stats.cached_bytes, "peak_bytes",
                         (Py_ssize_t)stats.peak_bytes, "limit_bytes",
                         (Py_ssize_t)stats.limit_bytes, "n_free_blocks",
                         (Py_ssize_t)stats.n_free_blocks, "n_allocations",
                         (Py_ssize_t)stats.n_allocations);
}

static PyObject *device_pool_free_all_blocks(pymic2__py_device *self, PyObject *unused)
{
    (void)unused;
    int status = pymic2_pool_free_all_blocks(self->device);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

static PyObject *device_pool_set_limit(pymic2__py_device *self, PyObject *arg)
{
    Py_ssize_t limit = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (limit == -1 && PyErr_Occurred())
        return NULL;
    if (limit < 0) {
        PyErr_Format(PyExc_ValueError, "%S: pool limit must be >= 0, not %zd", (PyObject *)self,
                     limit);
        return NULL;
    }
    int status = pymic2_pool_set_limit(self->device, (size_t)limit);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

static PyMethodDef device_methods[] = {
    {"alloc", (PyCFunction)(void (*)(void))device_alloc, METH_VARARGS | METH_KEYWORDS,
     "alloc(nbytes, alignment=64) -> Buffer from the device's memory pool."},
    {"pool_stats", (PyCFunction)device_pool_stats, METH_NOARGS,
     "The memory pool's counters as a dict."},
    {"pool_free_all_blocks", (PyCFunction)device_pool_free_all_blocks, METH_NOARGS,
     "Returns every cached free block to the device."},
    {"pool_set_limit", (PyCFunction)device_pool_set_limit, METH_O,
     "Caps used plus cached bytes (0: no cap)."},
    {NULL, NULL, 0, NULL},
};

#define DEVICE_INFO_GETSET(field, build) \
    {#field, (getter)device_get_##field, NULL, NULL, NULL},
static PyGetSetDef device_getset[] = {
    DEVICE_INFO_FIELDS(DEVICE_INFO_GETSET)
    {"default_stream", (getter)device_get_default_stream, NULL, "The device's default stream.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
#undef DEVICE_INFO_GETSET

PyTypeObject pymic2__py_device_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.Device",
    .tp_doc = "A device of a backend (host:N, opencl:N); see pymic2._core.devices.",
    .tp_basicsize = sizeof(pymic2__py_device),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)device_dealloc,
    .tp_repr = (reprfunc)device_repr,
    .tp_str = (reprfunc)device_str,
    .tp_methods = device_methods,
    .tp_getset = device_getset,
};
