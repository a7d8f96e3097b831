/*
 * pymic2py.h - what the files of the extension module pymic2._core share.
 *
 * The extension is a thin client of the public C API (pymic2.h): every object here owns one
 * handle of the core and turns statuses into Python exceptions in one place (errors.c).
 * Internal names are pymic2__py_*.
 */
#ifndef PYMIC2PY_H
#define PYMIC2PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pymic2.h"

/* ---------------------------------------------------------------- objects */

typedef struct {
    PyObject_HEAD
    pymic2_device *device;
    int index;                /* global index: its entry in per-device tables */
    PyObject *default_stream; /* the one Stream object wrapping the device's default stream */
} pymic2__py_device;

/*
 * A stream and the host objects its asynchronous commands still read or write: a list of
 * (command number, object) pairs in enqueue order, dropped once the stream reports the
 * command completed (pymic2_stream_progress).
 */
typedef struct {
    PyObject_HEAD
    pymic2_stream *stream;
    pymic2__py_device *device;
    PyObject *keepalive;
    int owned; /* created by this object (destroyed with it); 0 for a default stream */
} pymic2__py_stream;

typedef struct {
    PyObject_HEAD
    pymic2_event *event;
    pymic2__py_device *device;
} pymic2__py_event;

/* Owns one reference of a pymic2_buffer; NULL after free(). */
typedef struct {
    PyObject_HEAD
    pymic2_buffer *buffer;
    pymic2__py_device *device;
    size_t nbytes;
} pymic2__py_buffer;

typedef struct {
    PyObject_HEAD
    pymic2_library *library;
    pymic2__py_device *device;
    PyObject *path;
} pymic2__py_library;

typedef struct {
    PyObject_HEAD
    pymic2_kernel *kernel;
    pymic2__py_library *library; /* keeps the library loaded while the kernel object lives */
} pymic2__py_kernel;

/* A strided view of device memory: the core of pymic2.ndarray. */
typedef struct {
    PyObject_HEAD
    pymic2__py_buffer *buffer;
    pymic2__py_stream *stream; /* where its operations are enqueued */
    int64_t offset;            /* bytes from the buffer's start to element [0, ...] */
    pymic2_dtype dtype;
    int ndim;
    int64_t shape[PYMIC2_MAX_DIMS];
    int64_t strides[PYMIC2_MAX_DIMS]; /* bytes */
    int readonly; /* NumPy's WRITEABLE unset (broadcast views); views inherit it */
    PyObject *weakrefs;
} pymic2__py_array;

extern PyTypeObject pymic2__py_device_type;
extern PyTypeObject pymic2__py_stream_type;
extern PyTypeObject pymic2__py_event_type;
extern PyTypeObject pymic2__py_buffer_type;
extern PyTypeObject pymic2__py_library_type;
extern PyTypeObject pymic2__py_kernel_type;
extern PyTypeObject pymic2__py_array_type;

#define PYMIC2__PY_ARRAY_CHECK(o) PyObject_TypeCheck((o), &pymic2__py_array_type)

/* ---------------------------------------------------------------- errors.c */

/* The module's OffloadError (a RuntimeError). */
extern PyObject *pymic2__py_offload_error;
int pymic2__py_errors_init(PyObject *module);
/* Raises the exception for a failed status, with pymic2_last_error() as the message;
 * returns NULL. */
PyObject *pymic2__py_raise(int status);
/* Same, returning -1, for functions that report failure as an int. */
int pymic2__py_fail(int status);

/* ---------------------------------------------------------------- module.c */

/* The numpy.dtype object for a dtype code (borrowed); NULL with an exception set. */
PyObject *pymic2__py_numpy_dtype(pymic2_dtype dtype);
/* Converts a Python int to a dtype code with a range check. */
int pymic2__py_dtype_converter(PyObject *object, void *dtype);

/* ---------------------------------------------------------------- device.c */

/* The Device object for a core device (borrowed); NULL with an exception set. */
pymic2__py_device *pymic2__py_device_of(pymic2_device *device);
int pymic2__py_devices_init(PyObject *module);

/* ---------------------------------------------------------------- stream.c */

/* A new Stream object wrapping an existing core stream (default streams). */
pymic2__py_stream *pymic2__py_stream_wrap(pymic2__py_device *device, pymic2_stream *stream,
                                          int owned);
/* Keeps object alive until every command enqueued on the stream so far has completed. */
int pymic2__py_stream_keep(pymic2__py_stream *stream, PyObject *object);
/* Drops the objects of completed commands. */
void pymic2__py_stream_prune(pymic2__py_stream *stream);
/*
 * The host side of a transfer: a raw address (int, as pyMIC allowed; the caller keeps the
 * memory alive) or an object with the buffer protocol, pinned by a memoryview (*pin, a new
 * reference, NULL for raw addresses) that must be kept until the command completed.
 * Checks that [offset, offset + nbytes) lies inside it; `what` names the transfer.
 */
void *pymic2__py_host_memory(PyObject *object, int writable, Py_ssize_t offset,
                             Py_ssize_t nbytes, const char *what, PyObject **pin);
/* A wait of at most timeout_ms on a handle: pymic2_stream_wait, pymic2_event_wait, ... */
typedef int (*pymic2__py_bounded_wait)(void *handle, double timeout_ms);
/*
 * Waits in slices with the GIL released and runs Python's signal handlers between them, as
 * CPython's own blocking calls do (a bounded wait never runs a user kernel on this thread,
 * so an endless one cannot hold it). Returns 0 with the wait's final status in *status; -1
 * with the exception a signal handler raised (KeyboardInterrupt); 1 when *budget_ms (NULL:
 * no limit) ran out first, less what was spent.
 */
int pymic2__py_wait_interruptibly(pymic2__py_bounded_wait wait, void *handle, double *budget_ms,
                                  int *status);
/* Lets Ctrl-C end a wait for room in a full stream (pymic2_set_interrupt_check). */
void pymic2__py_interrupts_init(void);
/* After enqueueing a transfer: on success keeps pin alive (and drops it); raises on failure. */
PyObject *pymic2__py_finish_transfer(pymic2__py_stream *stream, int status, PyObject *pin);

/* ---------------------------------------------------------------- current.c */

/* Adds current_stream() and set_current_stream() to the module. */
int pymic2__py_current_init(PyObject *module);
/* The calling thread's current stream of device (borrowed): the innermost `with stream:` of
 * that device (or the one given to use()), else the device's default stream. */
pymic2__py_stream *pymic2__py_current_stream(pymic2__py_device *device);
/* The stream an op on array runs on, and that arrays it makes belong to (borrowed): the
 * thread's current stream of the array's device if one is set, else the array's stream. Every
 * op family asks this, so the rule lives here only. */
pymic2__py_stream *pymic2__py_op_stream(const pymic2__py_array *array);

/* ---------------------------------------------------------------- buffer.c */

/* A new Buffer object that takes over one reference of buffer. */
pymic2__py_buffer *pymic2__py_buffer_wrap(pymic2__py_device *device, pymic2_buffer *buffer);
/* The live core buffer of a Buffer object, or NULL with OffloadError ("use of a deallocated
 * buffer") set; `what` names the use in the message. */
pymic2_buffer *pymic2__py_buffer_get(pymic2__py_buffer *buffer, const char *what);

/* ---------------------------------------------------------------- array.c */

/*
 * NumPy's limits on a shape, checked for every array and view made from one (allocation and
 * _view): no negative dimension, and the bytes of its elements - the itemsize times the
 * product of the non-zero dimensions, as NumPy counts them even for an empty array - fit an
 * int64, hence a size_t. Sets *size to the element count; -1 with NumPy's ValueError otherwise.
 */
int pymic2__py_check_shape(int ndim, const int64_t *shape, pymic2_dtype dtype, int64_t *size);
/* A new array of type `type` (ndarray or a subclass) with a freshly allocated buffer;
 * strides are C order unless fortran_order. The shape is checked (pymic2__py_check_shape). */
pymic2__py_array *pymic2__py_array_new(PyTypeObject *type, pymic2__py_stream *stream,
                                       pymic2_dtype dtype, int ndim, const int64_t *shape,
                                       int fortran_order);
/* Fills an operand describing the array; fails if its buffer was deallocated. */
int pymic2__py_array_operand(pymic2__py_array *array, pymic2_operand *operand);
/* Raises ValueError (NumPy's "assignment destination is read-only") and returns -1 if an
 * operation would write a read-only array; 0 otherwise. */
int pymic2__py_array_check_writeable(const pymic2__py_array *array);
/* pymic2__py_array_operand for an array the operation writes (checked writeable). */
int pymic2__py_array_output(pymic2__py_array *array, pymic2_operand *operand);
int64_t pymic2__py_array_size(const pymic2__py_array *array);
int pymic2__py_array_is_c_contiguous(const pymic2__py_array *array);
int pymic2__py_array_is_f_contiguous(const pymic2__py_array *array);
/* Formats a shape as "(2, 3)" into out. */
void pymic2__py_format_shape(char *out, size_t size, int ndim, const int64_t *shape);

/* ---------------------------------------------------------------- elementwise.c */

PyObject *pymic2__py_elementwise(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames);
/* Converts a Python number to a scalar of dtype; TypeError/OverflowError if it cannot. */
int pymic2__py_scalar_from_object(PyObject *object, pymic2_dtype dtype, pymic2_scalar *out);
/* Whether writing output could change input elements other than the ones at the same index
 * (shared memory that is not the very same view); such an op needs a temporary output. */
int pymic2__py_arrays_overlap(const pymic2__py_array *input, const pymic2__py_array *output);
/* Enqueues out[...] = source (COPY: converts, broadcasts source); 0, or -1 with an exception. */
int pymic2__py_copy_into(pymic2__py_array *source, pymic2__py_array *out);
/* Launches desc with operand out_index taken from target, then copies target into out when
 * they differ (target is a temporary standing in for an output that overlaps an input).
 * Steals the references to target and out; returns out, or NULL with an exception set. */
PyObject *pymic2__py_launch_into(pymic2_op_desc *desc, int out_index, pymic2__py_array *target,
                                 pymic2__py_array *out);

/* ---------------------------------------------------------------- reduce.c, gemm.c */

PyObject *pymic2__py_reduce(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *pymic2__py_gemm(PyObject *module, PyObject *args, PyObject *kwargs);

/* ---------------------------------------------------------------- dlpack.c */

/* dlpack_export(array, versioned, copied) -> capsule "dltensor" or "dltensor_versioned". */
PyObject *pymic2__py_dlpack_export(PyObject *module, PyObject *args);

/* ---------------------------------------------------------------- index.c, random.c */

PyObject *pymic2__py_index(PyObject *module, PyObject *args, PyObject *kwargs);
PyObject *pymic2__py_random(PyObject *module, PyObject *args, PyObject *kwargs);

/* ---------------------------------------------------------------- nn.c */

/* The nn family's module functions, added to _core at import. */
extern PyMethodDef pymic2__py_nn_methods[];
extern PyMethodDef pymic2__py_sort_methods[];
extern PyMethodDef pymic2__py_histogram_methods[];
extern PyMethodDef pymic2__py_fft_methods[];
extern PyMethodDef pymic2__py_linalg_methods[];

#endif /* PYMIC2PY_H */
