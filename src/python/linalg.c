/*
 * linalg.c - the LINALG family in _core, on the stream of ops on `a` (pymic2__py_op_stream):
 *   linalg(op, a, outputs, b=None, upper=False, complete=False, raw=False, compute_uv=False,
 *          check=False): runs pymic2_linalg's op (LINALG_LU ... LINALG_EIG) of a into the
 *     arrays of the tuple outputs (None for one the op does not write), which the caller
 *     allocated in the shapes and dtypes pymic2.h gives; returns None.
 */
#include "pymic2py.h"

#include <string.h>

static int fill_outputs(PyObject *outputs, pymic2_linalg_desc *desc)
{
    if (!PyTuple_Check(outputs) || PyTuple_GET_SIZE(outputs) > PYMIC2_LINALG_OUTPUTS) {
        PyErr_SetString(PyExc_TypeError, "linalg: outputs must be a tuple of at most 3 arrays");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(outputs); i++) {
        PyObject *item = PyTuple_GET_ITEM(outputs, i);
        if (item == Py_None)
            continue;
        if (!PyObject_TypeCheck(item, &pymic2__py_array_type)) {
            PyErr_Format(PyExc_TypeError, "linalg: output %zd is not a device array", i);
            return -1;
        }
        if (pymic2__py_array_output((pymic2__py_array *)item, &desc->out[i]) < 0)
            return -1;
    }
    return 0;
}

static PyObject *linalg(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"op",  "a",          "outputs", "b",     "upper", "complete",
                               "raw", "compute_uv", "check",   NULL};
    int op, upper = 0, complete = 0, raw = 0, compute_uv = 0, check = 0;
    pymic2__py_array *a;
    PyObject *outputs, *b = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iO!O|Oppppp:linalg", keywords, &op,
                                     &pymic2__py_array_type, &a, &outputs, &b, &upper,
                                     &complete, &raw, &compute_uv, &check))
        return NULL;
    pymic2_linalg_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = (pymic2_linalg_op)op;
    desc.upper = upper;
    desc.complete = complete;
    desc.raw = raw;
    desc.compute_uv = compute_uv;
    desc.check = check;
    if (pymic2__py_array_operand(a, &desc.a) < 0 || fill_outputs(outputs, &desc) < 0)
        return NULL;
    if (b != Py_None) {
        if (!PyObject_TypeCheck(b, &pymic2__py_array_type))
            return PyErr_Format(PyExc_TypeError, "linalg: b is not a device array");
        if (pymic2__py_array_operand((pymic2__py_array *)b, &desc.b) < 0)
            return NULL;
    }
    int status = pymic2_linalg(pymic2__py_op_stream(a)->stream, &desc);
    if (status < 0)
        return pymic2__py_raise(status);
    Py_RETURN_NONE;
}

PyMethodDef pymic2__py_linalg_methods[] = {
    {"linalg", (PyCFunction)(void (*)(void))linalg, METH_VARARGS | METH_KEYWORDS,
     "linalg(op, a, outputs, b=None, upper=False, complete=False, raw=False, "
     "compute_uv=False, check=False): pymic2_linalg's op (LINALG_*) of a into the "
     "preallocated outputs (a tuple, None where unused)."},
    {NULL, NULL, 0, NULL},
};
