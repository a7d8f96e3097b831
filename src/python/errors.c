/*
 * errors.c - the one place where a pymic2_status becomes a Python exception.
 */
#include "pymic2py.h"

PyObject *pymic2__py_offload_error;
/* ENOTSUP: what a device cannot do (an op family its backend lacks, a float64 op without
 * fp64). An OffloadError, as before, and a NotImplementedError, as Python spells "not here". */
static PyObject *unsupported_error;

static int add_unsupported_error(PyObject *module)
{
    PyObject *bases = PyTuple_Pack(2, pymic2__py_offload_error, PyExc_NotImplementedError);
    if (bases == NULL)
        return -1;
    unsupported_error = PyErr_NewExceptionWithDoc(
        "pymic2._core.UnsupportedError",
        "An operation the device cannot run (ENOTSUP): the message names the device and the "
        "operation.",
        bases, NULL);
    Py_DECREF(bases);
    if (unsupported_error == NULL)
        return -1;
    Py_INCREF(unsupported_error);
    if (PyModule_AddObject(module, "UnsupportedError", unsupported_error) < 0) {
        Py_DECREF(unsupported_error);
        return -1;
    }
    return 0;
}

int pymic2__py_errors_init(PyObject *module)
{
    pymic2__py_offload_error = PyErr_NewExceptionWithDoc(
        "pymic2.OffloadError",
        "A failure of the offload runtime: a device, a library, a kernel or an earlier "
        "asynchronous command.",
        PyExc_RuntimeError, NULL);
    if (pymic2__py_offload_error == NULL)
        return -1;
    Py_INCREF(pymic2__py_offload_error);
    if (PyModule_AddObject(module, "OffloadError", pymic2__py_offload_error) < 0) {
        Py_DECREF(pymic2__py_offload_error);
        return -1;
    }
    return add_unsupported_error(module);
}

/* ELINALG: pymic2.linalg.LinAlgError (a numpy.linalg.LinAlgError), looked up when first
 * raised: the module itself does not need NumPy to load. OffloadError if it cannot be. */
static PyObject *linalg_error(void)
{
    static PyObject *error;
    if (error == NULL) {
        PyObject *linalg = PyImport_ImportModule("pymic2.linalg");
        if (linalg != NULL)
            error = PyObject_GetAttrString(linalg, "LinAlgError");
        Py_XDECREF(linalg);
        if (error == NULL) {
            PyErr_Clear();
            return pymic2__py_offload_error;
        }
    }
    return error;
}

static PyObject *exception_for(int status)
{
    switch (status) {
    case PYMIC2_ENOMEM:
        return PyExc_MemoryError;
    case PYMIC2_EINVAL:
    case PYMIC2_ERANGE:
    case PYMIC2_ESHAPE:
    case PYMIC2_EDEVICE:
        return PyExc_ValueError;
    case PYMIC2_EDTYPE:
        return PyExc_TypeError;
    case PYMIC2_EINDEX:
        return PyExc_IndexError;
    case PYMIC2_ENOTSUP:
        return unsupported_error;
    case PYMIC2_ELINALG:
        return linalg_error();
    case PYMIC2_EASYNC:
        /* what only the device finds in the data raises at the sync what NumPy's would have
         * raised at the call: an index out of bounds IndexError, an integer power with a
         * negative exponent (EINVAL) ValueError, a singular matrix (ELINALG) LinAlgError;
         * other asynchronous failures stay OffloadError */
        switch (pymic2_last_async_status()) {
        case PYMIC2_EINDEX:
            return PyExc_IndexError;
        case PYMIC2_EINVAL:
            return PyExc_ValueError;
        case PYMIC2_ELINALG:
            return linalg_error();
        default:
            return pymic2__py_offload_error;
        }
    default:
        return pymic2__py_offload_error;
    }
}

PyObject *pymic2__py_raise(int status)
{
    if (status == PYMIC2_EINTR && PyErr_Occurred())
        return NULL; /* the exception of the signal handler that interrupted the wait */
    const char *message = pymic2_last_error();
    if (message == NULL || message[0] == '\0')
        message = pymic2_status_message(status);
    PyErr_Format(exception_for(status), "%s (%s)", message, pymic2_status_name(status));
    return NULL;
}

int pymic2__py_fail(int status)
{
    pymic2__py_raise(status);
    return -1;
}
