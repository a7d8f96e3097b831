/*
 * array.c - _core.ndarray: a strided view (buffer, byte offset, shape, byte strides, dtype)
 * of device memory, bound to a stream. pymic2.ndarray and OffloadArray subclass it in Python;
 * everything per element happens on the device (elementwise.c), never here.
 */
#include "pymic2py.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

void pymic2__py_format_shape(char *out, size_t size, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(out, size, "(");
    for (int i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, i == 0 ? "%lld" : ", %lld",
                                 (long long)shape[i]);
    if (used < size)
        snprintf(out + used, size - used, ndim == 1 ? ",)" : ")");
}

int64_t pymic2__py_array_size(const pymic2__py_array *array)
{
    int64_t size = 1;
    for (int i = 0; i < array->ndim; i++)
        size *= array->shape[i];
    return size;
}

/* NumPy's relaxed rule: dimensions of length 1 do not matter, empty arrays are contiguous. */
static int is_contiguous(const pymic2__py_array *array, int fortran)
{
    if (pymic2__py_array_size(array) == 0)
        return 1;
    int64_t expected = (int64_t)pymic2_dtype_size(array->dtype);
    for (int k = 0; k < array->ndim; k++) {
        int i = fortran ? k : array->ndim - 1 - k;
        if (array->shape[i] == 1)
            continue;
        if (array->strides[i] != expected)
            return 0;
        expected *= array->shape[i];
    }
    return 1;
}

int pymic2__py_array_is_c_contiguous(const pymic2__py_array *array)
{
    return is_contiguous(array, 0);
}

int pymic2__py_array_is_f_contiguous(const pymic2__py_array *array)
{
    return is_contiguous(array, 1);
}

static void contiguous_strides(int ndim, const int64_t *shape, int64_t itemsize, int fortran,
                               int64_t *strides)
{
    int64_t stride = itemsize;
    for (int k = 0; k < ndim; k++) {
        int i = fortran ? k : ndim - 1 - k;
        strides[i] = stride;
        stride *= shape[i] > 0 ? shape[i] : 1;
    }
}

int pymic2__py_check_shape(int ndim, const int64_t *shape, pymic2_dtype dtype, int64_t *size)
{
    int64_t nbytes = (int64_t)pymic2_dtype_size(dtype), count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            PyErr_Format(PyExc_ValueError, "negative dimensions are not allowed (dimension %d "
                         "is %lld)", i, (long long)shape[i]);
            return -1;
        }
        if (shape[i] > 0 && __builtin_mul_overflow(nbytes, shape[i], &nbytes)) {
            PyErr_SetString(PyExc_ValueError, "array is too big; `arr.size * arr.dtype.itemsize` "
                            "is larger than the maximum possible size.");
            return -1;
        }
        count *= shape[i]; /* at most nbytes, or 0 */
    }
    *size = count;
    return 0;
}

pymic2__py_array *pymic2__py_array_new(PyTypeObject *type, pymic2__py_stream *stream,
                                       pymic2_dtype dtype, int ndim, const int64_t *shape,
                                       int fortran_order)
{
    int64_t itemsize = (int64_t)pymic2_dtype_size(dtype);
    int64_t size;
    if (pymic2__py_check_shape(ndim, shape, dtype, &size) < 0)
        return NULL;
    /* an empty array still owns a (tiny) buffer, so that every array has one */
    size_t nbytes = size > 0 ? (size_t)(size * itemsize) : (size_t)itemsize;
    pymic2_buffer *buffer;
    int status = pymic2_buffer_alloc(stream->device->device, nbytes, 0, &buffer);
    if (status < 0)
        return (pymic2__py_array *)pymic2__py_raise(status);
    pymic2__py_buffer *buffer_object = pymic2__py_buffer_wrap(stream->device, buffer);
    if (buffer_object == NULL)
        return NULL;
    pymic2__py_array *self = (pymic2__py_array *)type->tp_alloc(type, 0);
    if (self == NULL) {
        Py_DECREF(buffer_object);
        return NULL;
    }
    self->buffer = buffer_object;
    Py_INCREF(stream);
    self->stream = stream;
    self->offset = 0;
    self->dtype = dtype;
    self->ndim = ndim;
    memcpy(self->shape, shape, sizeof(int64_t) * (size_t)ndim);
    contiguous_strides(ndim, shape, itemsize, fortran_order, self->strides);
    return self;
}

int pymic2__py_array_operand(pymic2__py_array *array, pymic2_operand *operand)
{
    operand->buffer = pymic2__py_buffer_get(array->buffer, "array operation");
    if (operand->buffer == NULL)
        return -1;
    operand->offset = array->offset;
    operand->dtype = array->dtype;
    operand->ndim = array->ndim;
    memcpy(operand->shape, array->shape, sizeof(int64_t) * (size_t)array->ndim);
    memcpy(operand->strides, array->strides, sizeof(int64_t) * (size_t)array->ndim);
    return 0;
}

int pymic2__py_array_check_writeable(const pymic2__py_array *array)
{
    if (!array->readonly)
        return 0;
    PyErr_SetString(PyExc_ValueError, "assignment destination is read-only");
    return -1;
}

int pymic2__py_array_output(pymic2__py_array *array, pymic2_operand *operand)
{
    if (pymic2__py_array_check_writeable(array) < 0)
        return -1;
    return pymic2__py_array_operand(array, operand);
}

/* ---------------------------------------------------------------- construction */

/* One dimension or stride as an int64: NumPy's ValueError for an int beyond int64. */
static int parse_int64(PyObject *object, const char *what, int64_t *value)
{
    PyObject *index = PyNumber_Index(object);
    if (index == NULL)
        return -1;
    int overflow;
    long long result = PyLong_AsLongLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (overflow != 0) {
        PyErr_Format(PyExc_ValueError, "Maximum allowed %s exceeded", what);
        return -1;
    }
    if (result == -1 && PyErr_Occurred())
        return -1;
    *value = result;
    return 0;
}

/* A shape (or strides) argument: an int or a sequence of ints; `what` names one of them. */
static int parse_shape(PyObject *object, const char *what, int *ndim, int64_t *shape)
{
    if (PyIndex_Check(object)) {
        *ndim = 1;
        return parse_int64(object, what, &shape[0]);
    }
    PyObject *sequence = PySequence_Fast(object, "shape must be an int or a sequence of ints");
    if (sequence == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(sequence);
    if (n > PYMIC2_MAX_DIMS) {
        Py_DECREF(sequence);
        PyErr_Format(PyExc_ValueError, "maximum supported dimension for an ndarray is %d, "
                     "found %zd", PYMIC2_MAX_DIMS, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (parse_int64(PySequence_Fast_GET_ITEM(sequence, i), what, &shape[i]) < 0) {
            Py_DECREF(sequence);
            return -1;
        }
    }
    Py_DECREF(sequence);
    *ndim = (int)n;
    return 0;
}

static int parse_order(const char *order, int *fortran)
{
    if (strcmp(order, "C") == 0 || strcmp(order, "c") == 0) {
        *fortran = 0;
        return 0;
    }
    if (strcmp(order, "F") == 0 || strcmp(order, "f") == 0) {
        *fortran = 1;
        return 0;
    }
    PyErr_Format(PyExc_ValueError, "order must be 'C' or 'F', not '%s'", order);
    return -1;
}

/* The thread's current stream of the default device (PYMIC2_DEVICE, else host:0). */
static pymic2__py_stream *default_stream(void)
{
    pymic2_device *device;
    int status = pymic2_device_default(&device);
    if (status < 0)
        return (pymic2__py_stream *)pymic2__py_raise(status);
    pymic2__py_device *device_object = pymic2__py_device_of(device);
    return device_object == NULL ? NULL : pymic2__py_current_stream(device_object);
}

static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"shape", "dtype", "order", "stream", NULL};
    PyObject *shape_object, *stream_object = Py_None;
    pymic2_dtype dtype;
    const char *order = "C";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO&|sO:ndarray", keywords, &shape_object,
                                     pymic2__py_dtype_converter, &dtype, &order, &stream_object))
        return NULL;
    int ndim, fortran;
    int64_t shape[PYMIC2_MAX_DIMS];
    if (parse_shape(shape_object, "dimension", &ndim, shape) < 0 ||
        parse_order(order, &fortran) < 0)
        return NULL;
    pymic2__py_stream *stream;
    if (stream_object == Py_None) {
        stream = default_stream();
        if (stream == NULL)
            return NULL;
    } else if (PyObject_TypeCheck(stream_object, &pymic2__py_stream_type)) {
        stream = (pymic2__py_stream *)stream_object;
    } else {
        return PyErr_Format(PyExc_TypeError, "stream must be a Stream or None, not '%.100s'",
                            Py_TYPE(stream_object)->tp_name);
    }
    return (PyObject *)pymic2__py_array_new(type, stream, dtype, ndim, shape, fortran);
}

static void array_dealloc(pymic2__py_array *self)
{
    if (self->weakrefs != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    Py_XDECREF(self->buffer);
    Py_XDECREF(self->stream);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---------------------------------------------------------------- views */

/* Checks that every element of a view of `size` elements lies inside its buffer, without
 * overflowing on the way. */
static int check_extent(pymic2__py_array *base, int64_t offset, int ndim, const int64_t *shape,
                        const int64_t *strides, int64_t size, pymic2_dtype dtype)
{
    int64_t low, high, nbytes = (int64_t)base->buffer->nbytes;
    if (pymic2_view_extent(offset, ndim, shape, strides, pymic2_dtype_size(dtype), &low,
                           &high) < 0) {
        PyErr_Format(PyExc_ValueError, "view: its elements lie outside the %lld-byte buffer "
                     "(their byte offsets overflow an int64)", (long long)nbytes);
        return -1;
    }
    if (size == 0 ? (offset < 0 || offset > nbytes) : (low < 0 || high > nbytes)) {
        PyErr_Format(PyExc_ValueError, "view: elements from byte %lld to %lld lie outside the "
                     "%lld-byte buffer", (long long)low, (long long)high, (long long)nbytes);
        return -1;
    }
    return 0;
}

/* Devices address elements in units of their dtype (OpenCL kernels take element offsets):
 * a view's offset and strides must be multiples of its element size. */
static int check_alignment(int64_t offset, int ndim, const int64_t *strides, pymic2_dtype dtype)
{
    const int64_t itemsize = (int64_t)pymic2_dtype_size(dtype);
    bool aligned = offset % itemsize == 0;
    for (int d = 0; d < ndim; d++)
        aligned = aligned && strides[d] % itemsize == 0;
    if (!aligned)
        PyErr_Format(PyExc_ValueError, "view: an offset or stride is not a multiple of the "
                     "%lld-byte %s elements (device arrays address whole elements)",
                     (long long)itemsize, pymic2_dtype_name(dtype));
    return aligned ? 0 : -1;
}

/* An empty view addresses nothing: the offset NumPy's rules compute for it may point past
 * the buffer (a reversed slice beside an empty axis), and 0 serves as well. */
static int64_t empty_view_offset(int64_t size, int64_t offset)
{
    return size == 0 ? 0 : offset;
}

/* A new array of self's type on self's buffer and stream (shape and strides checked). */
static PyObject *new_view(pymic2__py_array *self, int64_t offset, int ndim,
                          const int64_t *shape, const int64_t *strides, pymic2_dtype dtype)
{
    int64_t size = 1;
    for (int d = 0; d < ndim; d++)
        size *= shape[d];
    offset = empty_view_offset(size, offset);
    PyTypeObject *type = Py_TYPE(self);
    pymic2__py_array *view = (pymic2__py_array *)type->tp_alloc(type, 0);
    if (view == NULL)
        return NULL;
    Py_INCREF(self->buffer);
    view->buffer = self->buffer;
    Py_INCREF(self->stream);
    view->stream = self->stream;
    view->offset = offset;
    view->readonly = self->readonly;
    view->dtype = dtype;
    view->ndim = ndim;
    memcpy(view->shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(view->strides, strides, sizeof(int64_t) * (size_t)ndim);
    return (PyObject *)view;
}

static PyObject *array_view(pymic2__py_array *self, PyObject *args)
{
    long long offset;
    PyObject *shape_object, *strides_object;
    int dtype_code = (int)self->dtype;
    if (!PyArg_ParseTuple(args, "LOO|i:_view", &offset, &shape_object, &strides_object,
                          &dtype_code))
        return NULL;
    if (dtype_code < 0 || dtype_code >= PYMIC2_NUM_DTYPES)
        return PyErr_Format(PyExc_ValueError, "view: no dtype with code %d", dtype_code);
    const pymic2_dtype dtype = (pymic2_dtype)dtype_code;
    int ndim, nstrides;
    int64_t shape[PYMIC2_MAX_DIMS], strides[PYMIC2_MAX_DIMS], size;
    if (parse_shape(shape_object, "dimension", &ndim, shape) < 0 ||
        pymic2__py_check_shape(ndim, shape, dtype, &size) < 0)
        return NULL;
    if (strides_object == Py_None) {
        contiguous_strides(ndim, shape, (int64_t)pymic2_dtype_size(dtype), 0, strides);
    } else {
        if (parse_shape(strides_object, "stride", &nstrides, strides) < 0)
            return NULL;
        if (nstrides != ndim)
            return PyErr_Format(PyExc_ValueError, "view: %d strides for %d dimensions",
                                nstrides, ndim);
    }
    if (pymic2__py_buffer_get(self->buffer, "view") == NULL)
        return NULL;
    offset = empty_view_offset(size, offset);
    if (check_extent(self, offset, ndim, shape, strides, size, dtype) < 0 ||
        check_alignment(offset, ndim, strides, dtype) < 0)
        return NULL;
    return new_view(self, offset, ndim, shape, strides, dtype);
}

/* ---------------------------------------------------------------- fast views
 *
 * The views of everyday indexing, transposing and reshaping, made here without Python-level
 * work (5-6 us per view in Python, most of a small op's cost in a training step). Each
 * takes only the plain, valid case and returns NotImplemented for anything else (numpy
 * integers, arrays, bad indices, other orders), which the Python functions then handle and
 * word the errors of, so there is one place for every rule's message.
 */

/* Appends one basic index to the view being built; 0 when it is not a plain valid one. */
static int apply_basic_index(const pymic2__py_array *self, PyObject *item, int *axis,
                             int64_t *offset, int *ndim, int64_t *shape, int64_t *strides)
{
    const bool adds_axis = !PyLong_Check(item) || PyBool_Check(item);
    if (adds_axis && *ndim >= PYMIC2_MAX_DIMS)
        return 0;
    if (item == Py_None || PyBool_Check(item)) { /* a new axis (a 0-d mask for a bool) */
        shape[*ndim] = item == Py_False ? 0 : 1;
        strides[(*ndim)++] = 0;
        return 1;
    }
    const int64_t length = self->shape[*axis], stride = self->strides[*axis];
    if (PyLong_Check(item)) {
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(item, &overflow);
        if (overflow || (i == -1 && PyErr_Occurred()) || i < -length || i >= length) {
            PyErr_Clear();
            return 0;
        }
        *offset += (i < 0 ? i + length : i) * stride;
        (*axis)++;
        return 1;
    }
    Py_ssize_t start, stop, step;
    if (!PySlice_Check(item) || PySlice_Unpack(item, &start, &stop, &step) < 0) {
        PyErr_Clear();
        return 0;
    }
    const Py_ssize_t n = PySlice_AdjustIndices((Py_ssize_t)length, &start, &stop, step);
    if (n > 0)
        *offset += (int64_t)start * stride;
    shape[*ndim] = n;
    strides[(*ndim)++] = stride * step;
    (*axis)++;
    return 1;
}

static PyObject *array_basic_view(pymic2__py_array *self, PyObject *key)
{
    PyObject *const *items = &key;
    Py_ssize_t count = 1;
    if (PyTuple_CheckExact(key)) {
        items = &PyTuple_GET_ITEM(key, 0);
        count = PyTuple_GET_SIZE(key);
    }
    int indexed = 0, ellipses = 0, bools = 0, ints = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (items[k] == Py_Ellipsis)
            ellipses++;
        else if (PyBool_Check(items[k]))
            bools++;
        else if (items[k] != Py_None)
            indexed++;
        ints += PyLong_Check(items[k]) && !PyBool_Check(items[k]);
    }
    /* A scalar bool is an advanced index in NumPy: alone among slices it acts as a new axis,
     * but several combine into one axis and ints join it (see _indexing.py) */
    if (ellipses > 1 || indexed > self->ndim || bools > 1 || (bools && ints))
        Py_RETURN_NOTIMPLEMENTED;
    int axis = 0, ndim = 0;
    int64_t offset = self->offset, shape[PYMIC2_MAX_DIMS], strides[PYMIC2_MAX_DIMS];
    for (Py_ssize_t k = 0; k < count; k++) {
        if (items[k] == Py_Ellipsis) {
            for (int skipped = self->ndim - indexed; skipped > 0; skipped--, axis++) {
                if (ndim >= PYMIC2_MAX_DIMS)
                    Py_RETURN_NOTIMPLEMENTED;
                shape[ndim] = self->shape[axis];
                strides[ndim++] = self->strides[axis];
            }
        } else if (!apply_basic_index(self, items[k], &axis, &offset, &ndim, shape, strides)) {
            Py_RETURN_NOTIMPLEMENTED;
        }
    }
    for (; axis < self->ndim; axis++) { /* the axes no index named stay whole */
        if (ndim >= PYMIC2_MAX_DIMS)
            Py_RETURN_NOTIMPLEMENTED;
        shape[ndim] = self->shape[axis];
        strides[ndim++] = self->strides[axis];
    }
    if (pymic2__py_buffer_get(self->buffer, "view") == NULL)
        return NULL;
    return new_view(self, offset, ndim, shape, strides, self->dtype);
}

/* _transposed(axes=None): the axes reversed, or permuted by a tuple of Python ints. */
static PyObject *array_transposed(pymic2__py_array *self, PyObject *const *args,
                                  Py_ssize_t nargs)
{
    int64_t shape[PYMIC2_MAX_DIMS], strides[PYMIC2_MAX_DIMS];
    PyObject *axes = nargs > 0 ? args[0] : Py_None;
    const int ndim = self->ndim;
    if (axes == Py_None) {
        for (int d = 0; d < ndim; d++) {
            shape[d] = self->shape[ndim - 1 - d];
            strides[d] = self->strides[ndim - 1 - d];
        }
    } else {
        if (!PyTuple_CheckExact(axes) || PyTuple_GET_SIZE(axes) != ndim)
            Py_RETURN_NOTIMPLEMENTED;
        bool seen[PYMIC2_MAX_DIMS] = {false};
        for (int d = 0; d < ndim; d++) {
            PyObject *item = PyTuple_GET_ITEM(axes, d);
            long i = PyLong_CheckExact(item) ? PyLong_AsLong(item) : LONG_MIN;
            if (i < 0 && i >= -ndim)
                i += ndim;
            if (i < 0 || i >= ndim || seen[i]) {
                PyErr_Clear();
                Py_RETURN_NOTIMPLEMENTED;
            }
            seen[i] = true;
            shape[d] = self->shape[i];
            strides[d] = self->strides[i];
        }
    }
    if (pymic2__py_buffer_get(self->buffer, "view") == NULL)
        return NULL;
    return new_view(self, self->offset, ndim, shape, strides, self->dtype);
}

/* _reshaped(shape): the C-order view of a C-contiguous array with a shape of Python ints
 * (at most one -1); NotImplemented otherwise. */
static PyObject *array_reshaped(pymic2__py_array *self, PyObject *shape_object)
{
    int64_t shape[PYMIC2_MAX_DIMS], strides[PYMIC2_MAX_DIMS], known = 1;
    PyObject *const *items = &shape_object;
    Py_ssize_t ndim = 1;
    if (PyTuple_CheckExact(shape_object)) {
        items = &PyTuple_GET_ITEM(shape_object, 0);
        ndim = PyTuple_GET_SIZE(shape_object);
    }
    if (ndim > PYMIC2_MAX_DIMS || !is_contiguous(self, 0))
        Py_RETURN_NOTIMPLEMENTED;
    int unknown = -1;
    for (int d = 0; d < (int)ndim; d++) {
        if (!PyLong_CheckExact(items[d]))
            Py_RETURN_NOTIMPLEMENTED;
        int overflow;
        shape[d] = PyLong_AsLongLongAndOverflow(items[d], &overflow);
        if (overflow || shape[d] < -1 || (shape[d] == -1 && unknown >= 0)) {
            PyErr_Clear();
            Py_RETURN_NOTIMPLEMENTED;
        }
        if (shape[d] == -1)
            unknown = d;
        else if (__builtin_mul_overflow(known, shape[d], &known))
            Py_RETURN_NOTIMPLEMENTED;
    }
    const int64_t size = pymic2__py_array_size(self);
    if (unknown >= 0 && known > 0 && size % known == 0)
        shape[unknown] = size / known;
    else if (unknown >= 0 || known != size)
        Py_RETURN_NOTIMPLEMENTED;
    int64_t checked_size;
    if (pymic2__py_check_shape((int)ndim, shape, self->dtype, &checked_size) < 0)
        return NULL; /* NumPy's limits hold for empty shapes too */
    contiguous_strides((int)ndim, shape, (int64_t)pymic2_dtype_size(self->dtype), 0, strides);
    if (pymic2__py_buffer_get(self->buffer, "view") == NULL)
        return NULL;
    return new_view(self, self->offset, (int)ndim, shape, strides, self->dtype);
}

/* ---------------------------------------------------------------- host transfers */

/* The array's bytes as one range of its buffer; only for C- or F-contiguous arrays. */
static int contiguous_range(pymic2__py_array *self, const char *what, pymic2_buffer **buffer,
                            size_t *offset, size_t *nbytes)
{
    if (!pymic2__py_array_is_c_contiguous(self) && !pymic2__py_array_is_f_contiguous(self)) {
        PyErr_Format(PyExc_ValueError, "%s: the device array is not contiguous", what);
        return -1;
    }
    *buffer = pymic2__py_buffer_get(self->buffer, what);
    if (*buffer == NULL)
        return -1;
    *offset = (size_t)self->offset;
    *nbytes = (size_t)pymic2__py_array_size(self) * pymic2_dtype_size(self->dtype);
    return 0;
}

/* Enqueues a copy between a contiguous array and a host buffer of its nbytes, either way. */
static PyObject *transfer_with_host(pymic2__py_array *self, PyObject *host, bool to_host)
{
    const char *what = to_host ? "device-to-host copy of an array"
                               : "host-to-device copy of an array";
    pymic2_buffer *buffer;
    size_t offset, nbytes;
    if (contiguous_range(self, what, &buffer, &offset, &nbytes) < 0)
        return NULL;
    if (nbytes == 0)
        Py_RETURN_NONE;
    PyObject *pin;
    void *memory = pymic2__py_host_memory(host, to_host, 0, (Py_ssize_t)nbytes, what, &pin);
    if (memory == NULL)
        return NULL;
    pymic2__py_stream *stream = pymic2__py_op_stream(self);
    int status = to_host ? pymic2_memcpy_d2h(stream->stream, memory, buffer, offset, nbytes)
                         : pymic2_memcpy_h2d(stream->stream, buffer, offset, memory, nbytes);
    return pymic2__py_finish_transfer(stream, status, pin);
}

static PyObject *array_to_host(pymic2__py_array *self, PyObject *host)
{
    return transfer_with_host(self, host, true);
}

static PyObject *array_from_host(pymic2__py_array *self, PyObject *host)
{
    if (pymic2__py_array_check_writeable(self) < 0)
        return NULL;
    return transfer_with_host(self, host, false);
}

/* ---------------------------------------------------------------- attributes */

static PyObject *int64_tuple(int n, const int64_t *values)
{
    PyObject *tuple = PyTuple_New(n);
    if (tuple == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *item = PyLong_FromLongLong(values[i]);
        if (item == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, item);
    }
    return tuple;
}

static PyObject *array_get_shape(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return int64_tuple(self->ndim, self->shape);
}

static PyObject *array_get_strides(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return int64_tuple(self->ndim, self->strides);
}

static PyObject *array_get_ndim(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->ndim);
}

static PyObject *array_get_size(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(pymic2__py_array_size(self));
}

static PyObject *array_get_itemsize(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyLong_FromSize_t(pymic2_dtype_size(self->dtype));
}

static PyObject *array_get_nbytes(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(pymic2__py_array_size(self) *
                               (int64_t)pymic2_dtype_size(self->dtype));
}

static PyObject *array_get_dtype(pymic2__py_array *self, void *closure)
{
    (void)closure;
    PyObject *dtype = pymic2__py_numpy_dtype(self->dtype);
    Py_XINCREF(dtype);
    return dtype;
}

static PyObject *array_get_dtype_code(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->dtype);
}

static PyObject *array_get_device(pymic2__py_array *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->stream->device);
    return (PyObject *)self->stream->device;
}

static PyObject *array_get_stream(pymic2__py_array *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->stream);
    return (PyObject *)self->stream;
}

static PyObject *array_get_op_stream(pymic2__py_array *self, void *closure)
{
    (void)closure;
    PyObject *stream = (PyObject *)pymic2__py_op_stream(self);
    Py_INCREF(stream);
    return stream;
}

static int array_set_stream(pymic2__py_array *self, PyObject *value, void *closure)
{
    (void)closure;
    if (value == NULL || !PyObject_TypeCheck(value, &pymic2__py_stream_type)) {
        PyErr_SetString(PyExc_TypeError, "an array's stream must be a Stream");
        return -1;
    }
    pymic2__py_stream *stream = (pymic2__py_stream *)value;
    if (stream->device != self->stream->device) {
        PyErr_Format(PyExc_ValueError,
                     "cannot assign a stream of %S to an array on %S: memory stays on its device",
                     (PyObject *)stream->device, (PyObject *)self->stream->device);
        return -1;
    }
    Py_INCREF(stream);
    Py_SETREF(self->stream, stream);
    return 0;
}

static PyObject *array_get_buffer(pymic2__py_array *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->buffer);
    return (PyObject *)self->buffer;
}

static PyObject *array_get_offset(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(self->offset);
}

static PyObject *array_get_data_ptr(pymic2__py_array *self, void *closure)
{
    (void)closure;
    pymic2_buffer *buffer = pymic2__py_buffer_get(self->buffer, "array.data_ptr");
    if (buffer == NULL)
        return NULL;
    uintptr_t address;
    int status = pymic2_buffer_device_address(buffer, &address);
    if (status < 0)
        return pymic2__py_raise(status);
    return PyLong_FromUnsignedLongLong(address + (uintptr_t)self->offset);
}

static PyObject *array_get_c_contiguous(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(pymic2__py_array_is_c_contiguous(self));
}

static PyObject *array_get_f_contiguous(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(pymic2__py_array_is_f_contiguous(self));
}

static PyObject *array_get_readonly(pymic2__py_array *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->readonly);
}

/* Anything may be made read-only; writeable again only without elements that share memory
 * (a broadcast view stays read-only, as NumPy's broadcast_to results do). */
static int array_set_readonly(pymic2__py_array *self, PyObject *value, void *closure)
{
    (void)closure;
    int readonly = value == NULL ? -1 : PyObject_IsTrue(value);
    if (readonly < 0) {
        if (value == NULL)
            PyErr_SetString(PyExc_TypeError, "cannot delete an array's _readonly");
        return -1;
    }
    if (!readonly)
        for (int d = 0; d < self->ndim; d++)
            if (self->strides[d] == 0 && self->shape[d] > 1) {
                PyErr_SetString(PyExc_ValueError, "cannot set WRITEABLE flag to True of this "
                                "array: its elements share memory (a broadcast view)");
                return -1;
            }
    self->readonly = readonly;
    return 0;
}

static PyMethodDef array_methods[] = {
    {"_view", (PyCFunction)array_view, METH_VARARGS,
     "_view(offset, shape, strides=None, dtype_code=same): a view of the same buffer (bounds "
     "and alignment checked)."},
    {"_basic_view", (PyCFunction)array_basic_view, METH_O,
     "_basic_view(key): the view of a basic index of Python ints, slices, None, Ellipsis "
     "and bools, or NotImplemented for any other key or an invalid one."},
    {"_transposed", (PyCFunction)(void (*)(void))array_transposed, METH_FASTCALL,
     "_transposed(axes=None): the view with the axes reversed or permuted (a tuple of "
     "Python ints), or NotImplemented."},
    {"_reshaped", (PyCFunction)array_reshaped, METH_O,
     "_reshaped(shape): the C-order view of a C-contiguous array, or NotImplemented."},
    {"_to_host", (PyCFunction)array_to_host, METH_O,
     "Enqueues a copy of a contiguous array into a host buffer of nbytes."},
    {"_from_host", (PyCFunction)array_from_host, METH_O,
     "Enqueues a copy of a host buffer of nbytes into a contiguous array."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef array_getset[] = {
    {"shape", (getter)array_get_shape, NULL, "Tuple of dimensions.", NULL},
    {"strides", (getter)array_get_strides, NULL, "Tuple of byte strides.", NULL},
    {"ndim", (getter)array_get_ndim, NULL, "Number of dimensions.", NULL},
    {"size", (getter)array_get_size, NULL, "Number of elements.", NULL},
    {"itemsize", (getter)array_get_itemsize, NULL, "Bytes per element.", NULL},
    {"nbytes", (getter)array_get_nbytes, NULL, "Bytes of all elements.", NULL},
    {"dtype", (getter)array_get_dtype, NULL, "The numpy.dtype of the elements.", NULL},
    {"_dtype_code", (getter)array_get_dtype_code, NULL, "The pymic2_dtype code.", NULL},
    {"_device", (getter)array_get_device, NULL, "The core Device holding the data.", NULL},
    {"_stream", (getter)array_get_stream, (setter)array_set_stream,
     "The array's own stream: operations on it run there unless the thread has a current "
     "stream for its device.", NULL},
    {"_op_stream", (getter)array_get_op_stream, NULL,
     "The stream an operation on the array runs on now: the thread's current stream of its "
     "device, else its own.", NULL},
    {"buffer", (getter)array_get_buffer, NULL, "The Buffer the array views.", NULL},
    {"offset", (getter)array_get_offset, NULL, "Byte offset of element [0, ...].", NULL},
    {"data_ptr", (getter)array_get_data_ptr, NULL,
     "Device address of element [0, ...] (what a kernel receives).", NULL},
    {"c_contiguous", (getter)array_get_c_contiguous, NULL, "Row-major without gaps.", NULL},
    {"_readonly", (getter)array_get_readonly, (setter)array_set_readonly,
     "Writes into the array raise ValueError (NumPy's WRITEABLE flag unset).", NULL},
    {"f_contiguous", (getter)array_get_f_contiguous, NULL, "Column-major without gaps.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pymic2__py_array_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.ndarray",
    .tp_doc = "ndarray(shape, dtype_code, order='C', stream=None): device array core.",
    .tp_basicsize = sizeof(pymic2__py_array),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = array_new,
    .tp_dealloc = (destructor)array_dealloc,
    .tp_weaklistoffset = offsetof(pymic2__py_array, weakrefs),
    .tp_methods = array_methods,
    .tp_getset = array_getset,
};
