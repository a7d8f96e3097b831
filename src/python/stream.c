/*
 * stream.c - Stream (transfers, kernel invocation, synchronisation) and Event.
 *
 * Commands run asynchronously, so a host object whose memory a command reads or writes is
 * kept in the stream's keep-alive list with the command's number, and dropped once
 * pymic2_stream_progress says the command completed. The GIL is released around every
 * blocking wait, and waits that may be long run in slices with a signal check between them
 * (pymic2__py_wait_interruptibly), so Ctrl-C interrupts them.
 */
#include "pymic2py.h"

#include <sched.h>

#if PY_VERSION_HEX >= 0x030D0000
#define INTERPRETER_EXITING() Py_IsFinalizing()
#else
#define INTERPRETER_EXITING() _Py_IsFinalizing()
#endif

/* ---------------------------------------------------------------- keep-alive */

static const char *stream_name(pymic2__py_stream *self)
{
    pymic2_device_info info = {0};
    pymic2_device_get_info(self->device->device, &info);
    return info.name != NULL ? info.name : "?";
}

void pymic2__py_stream_prune(pymic2__py_stream *self)
{
    Py_ssize_t n = PyList_GET_SIZE(self->keepalive);
    if (n == 0)
        return;
    uint64_t completed;
    if (pymic2_stream_progress(self->stream, NULL, &completed) < 0)
        return; /* keeping objects longer is always safe */
    Py_ssize_t done = 0;
    while (done < n) {
        PyObject *entry = PyList_GET_ITEM(self->keepalive, done);
        uint64_t sequence = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(entry, 0));
        if (sequence > completed)
            break;
        done++;
    }
    if (done > 0)
        PyList_SetSlice(self->keepalive, 0, done, NULL);
}

int pymic2__py_stream_keep(pymic2__py_stream *self, PyObject *object)
{
    uint64_t enqueued;
    int status = pymic2_stream_progress(self->stream, &enqueued, NULL);
    if (status < 0)
        return pymic2__py_fail(status);
    PyObject *entry = Py_BuildValue("(KO)", (unsigned long long)enqueued, object);
    if (entry == NULL)
        return -1;
    int result = PyList_Append(self->keepalive, entry);
    Py_DECREF(entry);
    pymic2__py_stream_prune(self);
    return result;
}

/* ---------------------------------------------------------------- interruptible waits */

/* One slice of a wait: KeyboardInterrupt reaches Python within about this. */
#define WAIT_SLICE_MS 50.0
/* How long interpreter exit waits, over all streams, for dropped streams that are still
 * busy before it leaves them running. */
#define EXIT_WAIT_MS 1000.0

static int stream_wait_slice(void *stream, double timeout_ms)
{
    return pymic2_stream_wait(stream, timeout_ms);
}

static int event_wait_slice(void *event, double timeout_ms)
{
    return pymic2_event_wait(event, timeout_ms);
}

int pymic2__py_wait_interruptibly(pymic2__py_bounded_wait wait, void *handle, double *budget_ms,
                                  int *status)
{
    for (;;) {
        if (budget_ms != NULL && *budget_ms <= 0)
            return 1;
        double slice = budget_ms != NULL && *budget_ms < WAIT_SLICE_MS ? *budget_ms
                                                                        : WAIT_SLICE_MS;
        int result;
        Py_BEGIN_ALLOW_THREADS
        result = wait(handle, slice);
        Py_END_ALLOW_THREADS
        if (result != PYMIC2_ENOTREADY) {
            *status = result;
            return 0;
        }
        if (budget_ms != NULL)
            *budget_ms -= slice;
        if (PyErr_CheckSignals() < 0)
            return -1;
    }
}

/* The core's interrupt check between the slices of a wait for room in a full stream, which
 * runs with the GIL held (ops enqueue without releasing it): other Python threads get the GIL
 * for a moment, Python's signal handlers run, and a raised KeyboardInterrupt ends the wait
 * (EINTR, the exception stays set). Threads without the GIL (C API users in the process) are
 * not interrupted. */
static int check_signals(void *unused)
{
    (void)unused;
    if (!PyGILState_Check())
        return 0;
    Py_BEGIN_ALLOW_THREADS
    sched_yield();
    Py_END_ALLOW_THREADS
    return PyErr_CheckSignals() < 0;
}

void pymic2__py_interrupts_init(void)
{
    pymic2_set_interrupt_check(check_signals, NULL);
}

/* Adds a note to the exception being raised (Python 3.11's add_note; older ones go without). */
static void add_note(PyObject *note)
{
    if (note == NULL) {
        PyErr_Clear();
        return;
    }
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    PyObject *result = value == NULL ? NULL : PyObject_CallMethod(value, "add_note", "O", note);
    if (result == NULL)
        PyErr_Clear();
    Py_XDECREF(result);
    Py_DECREF(note);
    PyErr_Restore(type, value, traceback);
}

/* "3 of 4 commands finished" for messages about a busy stream. */
static PyObject *progress_text(pymic2__py_stream *self)
{
    uint64_t enqueued = 0, completed = 0;
    pymic2_stream_progress(self->stream, &enqueued, &completed);
    return PyUnicode_FromFormat("%llu of %llu commands finished", (unsigned long long)completed,
                                (unsigned long long)enqueued);
}

/* ---------------------------------------------------------------- life cycle */

pymic2__py_stream *pymic2__py_stream_wrap(pymic2__py_device *device, pymic2_stream *stream,
                                          int owned)
{
    pymic2__py_stream *self = PyObject_New(pymic2__py_stream, &pymic2__py_stream_type);
    if (self == NULL)
        return NULL;
    self->stream = stream;
    self->owned = owned;
    Py_INCREF(device);
    self->device = device;
    self->keepalive = PyList_New(0);
    if (self->keepalive == NULL) {
        self->owned = 0; /* the caller still owns the stream */
        Py_DECREF(self);
        return NULL;
    }
    return self;
}

static PyObject *stream_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)type;
    static char *keywords[] = {"device", NULL};
    PyObject *device;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!:Stream", keywords,
                                     &pymic2__py_device_type, &device))
        return NULL;
    pymic2_stream *stream;
    int status = pymic2_stream_create(((pymic2__py_device *)device)->device, &stream);
    if (status < 0)
        return pymic2__py_raise(status);
    pymic2__py_stream *self = pymic2__py_stream_wrap((pymic2__py_device *)device, stream, 1);
    if (self == NULL)
        pymic2_stream_destroy(stream);
    return (PyObject *)self;
}

/* Reports the exception set as unraisable, naming the stream (self, whose reference count
 * is 0, cannot be named: reporting would revive and free it again). */
static void report_unraisable(pymic2__py_stream *self)
{
    PyObject *where = PyUnicode_FromFormat("<pymic2 Stream on %s> being destroyed",
                                           stream_name(self));
    PyErr_WriteUnraisable(where);
    Py_XDECREF(where);
}

/*
 * A dropped stream is destroyed once its commands finished. Waiting for them can be
 * interrupted (Ctrl-C), and at interpreter exit lasts at most EXIT_WAIT_MS over all streams:
 * then the stream is left running, with what its commands use, and stderr says so (a
 * KeyboardInterrupt is raised again right after the deallocation). Returns 0 when the stream
 * is idle (*status: the wait's, EASYNC for an unreported failure), -1 when it was left.
 */
static int drain_dropped(pymic2__py_stream *self, int *status)
{
    static double exit_budget_ms = EXIT_WAIT_MS;
    int waited = pymic2__py_wait_interruptibly(stream_wait_slice, self->stream,
                                    INTERPRETER_EXITING() ? &exit_budget_ms : NULL, status);
    if (waited == 0)
        return 0;
    if (waited < 0) {
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
            PyErr_Clear();
            PyErr_SetInterrupt(); /* a dealloc cannot raise: the next bytecode will */
        } else {
            report_unraisable(self);
        }
    }
    PyObject *progress = progress_text(self);
    PySys_FormatStderr("pyMIC2: a dropped stream on %s is still running a command (%S); it is "
                       "left running, with the memory and objects its commands use\n",
                       stream_name(self), progress != NULL ? progress : Py_None);
    Py_XDECREF(progress);
    return -1;
}

static void stream_dealloc(pymic2__py_stream *self)
{
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback); /* a dealloc keeps the exception in flight */
    if (self->owned && self->stream != NULL) {
        pymic2_stream *stream = self->stream;
        int status = PYMIC2_OK;
        if (drain_dropped(self, &status) < 0) {
            PyErr_Restore(type, value, traceback);
            PyObject_Free(self); /* keepalive and device stay referenced, as the stream */
            return;
        }
        /* an unsynchronised command failed: say so rather than drop it */
        if (status == PYMIC2_EASYNC)
            pymic2__py_raise(status);
        int destroyed;
        Py_BEGIN_ALLOW_THREADS
        destroyed = pymic2_stream_destroy(stream);
        Py_END_ALLOW_THREADS
        if (destroyed < 0 && !PyErr_Occurred())
            pymic2__py_raise(destroyed);
        if (PyErr_Occurred())
            report_unraisable(self);
        self->stream = NULL;
    }
    Py_XDECREF(self->keepalive);
    Py_XDECREF(self->device);
    PyObject_Free(self);
    PyErr_Restore(type, value, traceback);
}

static PyObject *stream_repr(pymic2__py_stream *self)
{
    return PyUnicode_FromFormat("<pymic2 Stream on %s%s>", stream_name(self),
                                self->owned ? "" : " (default)");
}

/* ---------------------------------------------------------------- synchronisation */

static PyObject *stream_sync(pymic2__py_stream *self, PyObject *unused)
{
    (void)unused;
    int status;
    if (pymic2__py_wait_interruptibly(stream_wait_slice, self->stream, NULL, &status) < 0) {
        PyObject *progress = progress_text(self);
        add_note(PyUnicode_FromFormat("pyMIC2: Stream.sync() on %s was interrupted; the stream "
                                      "is still busy (%S), and its later commands run after "
                                      "the unfinished one", stream_name(self),
                                      progress != NULL ? progress : Py_None));
        Py_XDECREF(progress);
        return NULL;
    }
    pymic2__py_stream_prune(self);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

static PyObject *stream_query(pymic2__py_stream *self, PyObject *unused)
{
    (void)unused;
    int status = pymic2_stream_query(self->stream);
    if (status == PYMIC2_ENOTREADY)
        Py_RETURN_FALSE;
    pymic2__py_stream_prune(self);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_TRUE;
}

static PyObject *stream_busy_time(pymic2__py_stream *self, PyObject *unused)
{
    (void)unused;
    double compute_ms, transfer_ms;
    int status = pymic2_stream_busy_time(self->stream, &compute_ms, &transfer_ms);
    if (status < 0)
        return pymic2__py_raise(status);
    return Py_BuildValue("(dd)", compute_ms, transfer_ms);
}

static PyObject *stream_exit(pymic2__py_stream *self, PyObject *args)
{
    (void)args;
    return stream_sync(self, NULL);
}

static PyObject *stream_enter(pymic2__py_stream *self, PyObject *unused)
{
    (void)unused;
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *stream_wait_event(pymic2__py_stream *self, PyObject *event)
{
    if (!PyObject_TypeCheck(event, &pymic2__py_event_type))
        return PyErr_Format(PyExc_TypeError, "Stream.wait_event needs an Event, not '%.100s'",
                            Py_TYPE(event)->tp_name);
    int status = pymic2_stream_wait_event(self->stream, ((pymic2__py_event *)event)->event);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- transfers */

static pymic2_buffer *buffer_argument(PyObject *object, const char *what)
{
    if (!PyObject_TypeCheck(object, &pymic2__py_buffer_type)) {
        PyErr_Format(PyExc_TypeError, "%s: the device side must be a Buffer, not '%.100s'", what,
                     Py_TYPE(object)->tp_name);
        return NULL;
    }
    return pymic2__py_buffer_get((pymic2__py_buffer *)object, what);
}

void *pymic2__py_host_memory(PyObject *object, int writable, Py_ssize_t offset,
                             Py_ssize_t nbytes, const char *what, PyObject **pin)
{
    *pin = NULL;
    if (PyLong_Check(object) && !PyBool_Check(object)) {
        uintptr_t address = (uintptr_t)PyLong_AsUnsignedLongLong(object);
        if (PyErr_Occurred())
            return NULL;
        if (address == 0) {
            PyErr_Format(PyExc_ValueError, "%s: the host address is NULL", what);
            return NULL;
        }
        return (void *)(address + (uintptr_t)offset);
    }
    PyObject *view = PyMemoryView_FromObject(object);
    if (view == NULL)
        return NULL;
    Py_buffer *buffer = PyMemoryView_GET_BUFFER(view);
    if (!PyBuffer_IsContiguous(buffer, 'A')) {
        PyErr_Format(PyExc_ValueError, "%s: the host array is not contiguous", what);
    } else if (writable && buffer->readonly) {
        PyErr_Format(PyExc_ValueError, "%s: the host array is read-only", what);
    } else if (offset + nbytes > buffer->len) {
        PyErr_Format(PyExc_ValueError,
                     "%s: transfer of %zd bytes at host offset %zd passes the end of a "
                     "%zd-byte host buffer",
                     what, nbytes, offset, buffer->len);
    } else {
        *pin = view;
        return (char *)buffer->buf + offset;
    }
    Py_DECREF(view);
    return NULL;
}

static int check_counts(const char *what, Py_ssize_t a, Py_ssize_t b, Py_ssize_t nbytes)
{
    if (a < 0 || b < 0 || nbytes < 0) {
        PyErr_Format(PyExc_ValueError,
                     "%s: offsets and byte count must be >= 0 (got %zd, %zd, nbytes %zd)", what,
                     a, b, nbytes);
        return -1;
    }
    return 0;
}

/* Enqueued: keep the pinned host object alive; failed: drop it and raise. */
PyObject *pymic2__py_finish_transfer(pymic2__py_stream *self, int status, PyObject *pin)
{
    if (status < 0) {
        Py_XDECREF(pin);
        return pymic2__py_raise(status);
    }
    if (pin != NULL) {
        int kept = pymic2__py_stream_keep(self, pin);
        Py_DECREF(pin);
        if (kept < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *stream_memcpy_h2d(pymic2__py_stream *self, PyObject *args)
{
    static const char what[] = "host-to-device transfer";
    PyObject *dst_object, *src_object;
    Py_ssize_t dst_offset, src_offset, nbytes;
    if (!PyArg_ParseTuple(args, "OnOnn:memcpy_h2d", &dst_object, &dst_offset, &src_object,
                          &src_offset, &nbytes) ||
        check_counts(what, dst_offset, src_offset, nbytes) < 0)
        return NULL;
    pymic2_buffer *dst = buffer_argument(dst_object, what);
    if (dst == NULL)
        return NULL;
    if (nbytes == 0)
        Py_RETURN_NONE;
    PyObject *pin;
    const void *src = pymic2__py_host_memory(src_object, 0, src_offset, nbytes, what, &pin);
    if (src == NULL)
        return NULL;
    int status = pymic2_memcpy_h2d(self->stream, dst, (size_t)dst_offset, src, (size_t)nbytes);
    return pymic2__py_finish_transfer(self, status, pin);
}

static PyObject *stream_memcpy_d2h(pymic2__py_stream *self, PyObject *args)
{
    static const char what[] = "device-to-host transfer";
    PyObject *dst_object, *src_object;
    Py_ssize_t dst_offset, src_offset, nbytes;
    if (!PyArg_ParseTuple(args, "OnOnn:memcpy_d2h", &dst_object, &dst_offset, &src_object,
                          &src_offset, &nbytes) ||
        check_counts(what, dst_offset, src_offset, nbytes) < 0)
        return NULL;
    pymic2_buffer *src = buffer_argument(src_object, what);
    if (src == NULL)
        return NULL;
    if (nbytes == 0)
        Py_RETURN_NONE;
    PyObject *pin;
    void *dst = pymic2__py_host_memory(dst_object, 1, dst_offset, nbytes, what, &pin);
    if (dst == NULL)
        return NULL;
    int status = pymic2_memcpy_d2h(self->stream, dst, src, (size_t)src_offset, (size_t)nbytes);
    return pymic2__py_finish_transfer(self, status, pin);
}

static PyObject *stream_memcpy_d2d(pymic2__py_stream *self, PyObject *args)
{
    static const char what[] = "device-to-device transfer";
    PyObject *dst_object, *src_object;
    Py_ssize_t dst_offset, src_offset, nbytes;
    if (!PyArg_ParseTuple(args, "OnOnn:memcpy_d2d", &dst_object, &dst_offset, &src_object,
                          &src_offset, &nbytes) ||
        check_counts(what, dst_offset, src_offset, nbytes) < 0)
        return NULL;
    pymic2_buffer *dst = buffer_argument(dst_object, what);
    pymic2_buffer *src = dst == NULL ? NULL : buffer_argument(src_object, what);
    if (src == NULL)
        return NULL;
    if (nbytes == 0)
        Py_RETURN_NONE;
    int status = pymic2_memcpy_d2d(self->stream, dst, (size_t)dst_offset, src,
                                   (size_t)src_offset, (size_t)nbytes);
    return pymic2__py_finish_transfer(self, status, NULL);
}

/* ---------------------------------------------------------------- kernel invocation */

/* One invoke argument by pyMIC's convention; -1 with an exception for other types. */
static int kernel_argument(PyObject *object, int index, const char *kernel,
                           pymic2_kernel_arg *arg)
{
    memset(arg, 0, sizeof(*arg));
    if (object == Py_None) {
        arg->kind = PYMIC2_ARG_NULL;
    } else if (PyObject_TypeCheck(object, &pymic2__py_buffer_type)) {
        arg->kind = PYMIC2_ARG_BUFFER;
        arg->buffer = pymic2__py_buffer_get((pymic2__py_buffer *)object, kernel);
        if (arg->buffer == NULL)
            return -1;
    } else if (PYMIC2__PY_ARRAY_CHECK(object)) {
        pymic2__py_array *array = (pymic2__py_array *)object;
        arg->kind = PYMIC2_ARG_BUFFER;
        arg->buffer = pymic2__py_buffer_get(array->buffer, kernel);
        if (arg->buffer == NULL)
            return -1;
        arg->offset = (size_t)array->offset;
    } else if (PyFloat_Check(object)) {
        arg->kind = PYMIC2_ARG_FLOAT64;
        arg->value.f64 = PyFloat_AS_DOUBLE(object);
    } else if (PyComplex_Check(object)) {
        arg->kind = PYMIC2_ARG_COMPLEX128;
        arg->value.c128[0] = PyComplex_RealAsDouble(object);
        arg->value.c128[1] = PyComplex_ImagAsDouble(object);
    } else if (PyIndex_Check(object)) {
        arg->kind = PYMIC2_ARG_INT64;
        PyObject *integer = PyNumber_Index(object);
        if (integer == NULL)
            return -1;
        arg->value.i64 = PyLong_AsLongLong(integer);
        Py_DECREF(integer);
        if (PyErr_Occurred())
            return -1;
    } else {
        PyErr_Format(PyExc_TypeError,
                     "invoke of kernel '%s': argument %d has type '%.100s'; pass an array, a "
                     "Buffer, an int, a float, a complex or None",
                     kernel, index, Py_TYPE(object)->tp_name);
        return -1;
    }
    return 0;
}

/* A work size: an int or a sequence of 1 to 3 ints; *ndim receives its length. */
static int work_size(PyObject *object, const char *what, const char *kernel, size_t size[3],
                     int *ndim)
{
    PyObject *items = PyIndex_Check(object) ? PyTuple_Pack(1, object)
                                            : PySequence_Tuple(object);
    if (items == NULL) {
        PyErr_Format(PyExc_TypeError, "invoke of kernel '%s': %s must be an int or a tuple of "
                     "1 to 3 ints", kernel, what);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    int result = 0;
    if (n < 1 || n > 3) {
        PyErr_Format(PyExc_ValueError, "invoke of kernel '%s': %s has %zd dimensions, not 1 to "
                     "3", kernel, what, n);
        result = -1;
    }
    for (Py_ssize_t d = 0; d < n && result == 0; d++) {
        Py_ssize_t value = PyNumber_AsSsize_t(PyTuple_GET_ITEM(items, d), PyExc_OverflowError);
        if (value == -1 && PyErr_Occurred()) {
            result = -1;
        } else if (value < 0) {
            PyErr_Format(PyExc_ValueError, "invoke of kernel '%s': %s[%zd] is %zd", kernel,
                         what, d, value);
            result = -1;
        } else {
            size[d] = (size_t)value;
        }
    }
    *ndim = (int)n;
    Py_DECREF(items);
    return result;
}

/* global_size and local_size of an OpenCL launch; *has is 0 when neither was given. */
static int launch_config(PyObject *global, PyObject *local, const char *kernel,
                         pymic2_launch_config *config, int *has)
{
    memset(config, 0, sizeof *config);
    *has = global != NULL && global != Py_None;
    if (!*has) {
        if (local != NULL && local != Py_None) {
            PyErr_Format(PyExc_ValueError, "invoke of kernel '%s': local_size needs "
                         "global_size", kernel);
            return -1;
        }
        return 0;
    }
    if (work_size(global, "global_size", kernel, config->global_size, &config->work_dim) < 0)
        return -1;
    if (local == NULL || local == Py_None)
        return 0;
    int local_ndim;
    if (work_size(local, "local_size", kernel, config->local_size, &local_ndim) < 0)
        return -1;
    if (local_ndim != config->work_dim) {
        PyErr_Format(PyExc_ValueError, "invoke of kernel '%s': local_size has %d dimensions "
                     "but global_size has %d", kernel, local_ndim, config->work_dim);
        return -1;
    }
    return 0;
}

static PyObject *stream_invoke(pymic2__py_stream *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"kernel", "arguments", "global_size", "local_size", NULL};
    PyObject *kernel_object, *arguments, *global = NULL, *local = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!|$OO:invoke", keywords,
                                     &pymic2__py_kernel_type, &kernel_object, &PyTuple_Type,
                                     &arguments, &global, &local))
        return NULL;
    pymic2__py_kernel *kernel = (pymic2__py_kernel *)kernel_object;
    const char *name = pymic2_kernel_name(kernel->kernel);
    pymic2_launch_config config;
    int has_config;
    if (launch_config(global, local, name, &config, &has_config) < 0)
        return NULL;
    Py_ssize_t nargs = PyTuple_GET_SIZE(arguments);
    if (nargs > PYMIC2_MAX_KERNEL_ARGS)
        return PyErr_Format(PyExc_ValueError,
                            "invoke of kernel '%s': %zd arguments given, at most %d allowed",
                            name, nargs, PYMIC2_MAX_KERNEL_ARGS);
    if (kernel->library->library == NULL)
        return PyErr_Format(pymic2__py_offload_error,
                            "invoke of kernel '%s': its library was unloaded", name);
    pymic2_kernel_arg kernel_args[PYMIC2_MAX_KERNEL_ARGS];
    for (Py_ssize_t i = 0; i < nargs; i++)
        if (kernel_argument(PyTuple_GET_ITEM(arguments, i), (int)i, name, &kernel_args[i]) < 0)
            return NULL;
    int status = pymic2_kernel_invoke(self->stream, kernel->kernel, (int)nargs, kernel_args,
                                      has_config ? &config : NULL);
    if (status < 0)
        return pymic2__py_raise(status);
    /* the kernel's code must stay loaded until the call ran */
    if (pymic2__py_stream_keep(self, kernel_object) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- attributes */

static PyObject *stream_get_device(pymic2__py_stream *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->device);
    return (PyObject *)self->device;
}

static PyObject *stream_get_is_default(pymic2__py_stream *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(!self->owned);
}

static PyObject *stream_get_pending_host_objects(pymic2__py_stream *self, void *closure)
{
    (void)closure;
    pymic2__py_stream_prune(self);
    return PyLong_FromSsize_t(PyList_GET_SIZE(self->keepalive));
}

static PyMethodDef stream_methods[] = {
    {"sync", (PyCFunction)stream_sync, METH_NOARGS,
     "Waits for every enqueued command; raises the first asynchronous error."},
    {"synchronize", (PyCFunction)stream_sync, METH_NOARGS, "Same as sync()."},
    {"query", (PyCFunction)stream_query, METH_NOARGS, "True if every command has completed."},
    {"busy_time", (PyCFunction)stream_busy_time, METH_NOARGS,
     "(compute_ms, transfer_ms): time the device spent running this stream's commands."},
    {"wait_event", (PyCFunction)stream_wait_event, METH_O,
     "Later commands of this stream wait until the event completed."},
    {"memcpy_h2d", (PyCFunction)stream_memcpy_h2d, METH_VARARGS,
     "memcpy_h2d(dst_buffer, dst_offset, host, host_offset, nbytes), asynchronous."},
    {"memcpy_d2h", (PyCFunction)stream_memcpy_d2h, METH_VARARGS,
     "memcpy_d2h(host, host_offset, src_buffer, src_offset, nbytes), asynchronous."},
    {"memcpy_d2d", (PyCFunction)stream_memcpy_d2d, METH_VARARGS,
     "memcpy_d2d(dst_buffer, dst_offset, src_buffer, src_offset, nbytes), asynchronous."},
    {"invoke", (PyCFunction)(void (*)(void))stream_invoke, METH_VARARGS | METH_KEYWORDS,
     "invoke(kernel, args, *, global_size=None, local_size=None): enqueues kernel(*args) "
     "(arrays, Buffers, numbers, None); OpenCL kernels need global_size (an int or 1 to 3 "
     "ints)."},
    {"__enter__", (PyCFunction)stream_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)stream_exit, METH_VARARGS, "Synchronises the stream."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef stream_getset[] = {
    {"device", (getter)stream_get_device, NULL, "The stream's device.", NULL},
    {"is_default", (getter)stream_get_is_default, NULL, "True for a device's default stream.",
     NULL},
    {"pending_host_objects", (getter)stream_get_pending_host_objects, NULL,
     "How many host objects are kept alive for commands not completed yet.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pymic2__py_stream_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.Stream",
    .tp_doc = "Stream(device): an in-order asynchronous command queue on a device.",
    .tp_basicsize = sizeof(pymic2__py_stream),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = stream_new,
    .tp_dealloc = (destructor)stream_dealloc,
    .tp_repr = (reprfunc)stream_repr,
    .tp_methods = stream_methods,
    .tp_getset = stream_getset,
};

/* ---------------------------------------------------------------- Event */

static PyObject *event_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)type;
    static char *keywords[] = {"device", NULL};
    PyObject *device;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!:Event", keywords,
                                     &pymic2__py_device_type, &device))
        return NULL;
    pymic2_event *event;
    int status = pymic2_event_create(((pymic2__py_device *)device)->device, &event);
    if (status < 0)
        return pymic2__py_raise(status);
    pymic2__py_event *self = PyObject_New(pymic2__py_event, &pymic2__py_event_type);
    if (self == NULL) {
        pymic2_event_destroy(event);
        return NULL;
    }
    self->event = event;
    Py_INCREF(device);
    self->device = (pymic2__py_device *)device;
    return (PyObject *)self;
}

static void event_dealloc(pymic2__py_event *self)
{
    pymic2_event_destroy(self->event); /* never waits, pending records or not */
    Py_XDECREF(self->device);
    PyObject_Free(self);
}

static PyObject *event_record(pymic2__py_event *self, PyObject *args)
{
    PyObject *stream = Py_None;
    if (!PyArg_ParseTuple(args, "|O:record", &stream))
        return NULL;
    if (stream == Py_None)
        stream = self->device->default_stream;
    if (!PyObject_TypeCheck(stream, &pymic2__py_stream_type))
        return PyErr_Format(PyExc_TypeError, "Event.record needs a Stream, not '%.100s'",
                            Py_TYPE(stream)->tp_name);
    int status = pymic2_event_record(self->event, ((pymic2__py_stream *)stream)->stream);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *event_synchronize(pymic2__py_event *self, PyObject *unused)
{
    (void)unused;
    int status;
    if (pymic2__py_wait_interruptibly(event_wait_slice, self->event, NULL, &status) < 0) {
        pymic2_device_info info = {0};
        pymic2_device_get_info(self->device->device, &info);
        add_note(PyUnicode_FromFormat("pyMIC2: Event.synchronize() on %s was interrupted; the "
                                      "event has not completed: the stream it was recorded on "
                                      "is still busy", info.name != NULL ? info.name : "?"));
        return NULL;
    }
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

static PyObject *event_query(pymic2__py_event *self, PyObject *unused)
{
    (void)unused;
    int status = pymic2_event_query(self->event);
    if (status == PYMIC2_ENOTREADY)
        Py_RETURN_FALSE;
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_TRUE;
}

static PyObject *event_elapsed_time(pymic2__py_event *self, PyObject *end)
{
    if (!PyObject_TypeCheck(end, &pymic2__py_event_type))
        return PyErr_Format(PyExc_TypeError, "elapsed_time needs an Event, not '%.100s'",
                            Py_TYPE(end)->tp_name);
    double milliseconds;
    int status = pymic2_event_elapsed_ms(self->event, ((pymic2__py_event *)end)->event,
                                         &milliseconds);
    if (status < 0)
        return pymic2__py_raise(status);
    return PyFloat_FromDouble(milliseconds);
}

static PyObject *event_get_device(pymic2__py_event *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->device);
    return (PyObject *)self->device;
}

static PyMethodDef event_methods[] = {
    {"record", (PyCFunction)event_record, METH_VARARGS,
     "record(stream=None): marks the point after the stream's enqueued commands; returns self."},
    {"synchronize", (PyCFunction)event_synchronize, METH_NOARGS,
     "Waits until the recorded point was reached."},
    {"query", (PyCFunction)event_query, METH_NOARGS, "True if completed (or never recorded)."},
    {"elapsed_time", (PyCFunction)event_elapsed_time, METH_O,
     "elapsed_time(end) -> milliseconds from this event to end (both completed)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef event_getset[] = {
    {"device", (getter)event_get_device, NULL, "The event's device.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pymic2__py_event_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.Event",
    .tp_doc = "Event(device): a point in a stream to wait for, query and time.",
    .tp_basicsize = sizeof(pymic2__py_event),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = event_new,
    .tp_dealloc = (destructor)event_dealloc,
    .tp_methods = event_methods,
    .tp_getset = event_getset,
};
