/*
 * sort.c - the SORT family in _core, on the stream of ops on the first array
 * (pymic2__py_op_stream):
 *   sort_rows(values, positions=False, keep_values=False, kth=None): sorts values in place
 *     along its last axis (stable, NumPy's order); with positions, returns the new int64 array
 *     of each element's former position in its row (argsort), else None; with keep_values as
 *     well, values are only read. With kth (int64 1-d, increasing, in [0, n)) it only
 *     partitions the rows at those positions (numpy.partition, argpartition).
 *   searchsorted(sorted, keys, right=False): the new int64 array (keys' 1-d shape) of the
 *     insertion points of keys into the 1-d sorted array of keys' dtype.
 */
#include "pymic2py.h"

#include <string.h>

static PyObject *sort_rows(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"values", "positions", "keep_values", "kth", NULL};
    pymic2__py_array *values, *kth = NULL;
    int positions = 0, keep_values = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|ppO!:sort_rows", keywords,
                                     &pymic2__py_array_type, &values, &positions,
                                     &keep_values, &pymic2__py_array_type, &kth))
        return NULL;
    pymic2_sort_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = kth != NULL ? PYMIC2_SORT_SELECT : PYMIC2_SORT_ROWS;
    desc.keep_values = keep_values;
    if ((keep_values ? pymic2__py_array_operand(values, &desc.values)
                     : pymic2__py_array_output(values, &desc.values)) < 0)
        return NULL;
    if (kth != NULL && pymic2__py_array_operand(kth, &desc.keys) < 0)
        return NULL;
    pymic2__py_array *out = NULL;
    if (positions) {
        out = pymic2__py_array_new(Py_TYPE(values), pymic2__py_op_stream(values),
                                   PYMIC2_INT64, values->ndim, values->shape, 0);
        if (out == NULL)
            return NULL;
        if (pymic2__py_array_operand(out, &desc.indices) < 0)
            goto fail;
    }
    int status = pymic2_sort(pymic2__py_op_stream(values)->stream, &desc);
    if (status < 0) {
        pymic2__py_raise(status);
        goto fail;
    }
    if (out == NULL)
        Py_RETURN_NONE;
    return (PyObject *)out;
fail:
    Py_XDECREF(out);
    return NULL;
}

/* Runs desc with a new int64 array of the given shape, on like's stream, as its indices
 * output (the searches' positions, the runs' starts); the array, or NULL with an error. */
static PyObject *sort_into_new_indices(pymic2__py_array *like, pymic2_sort_desc *desc,
                                       int ndim, const int64_t *shape)
{
    pymic2__py_stream *stream = pymic2__py_op_stream(like);
    pymic2__py_array *out = pymic2__py_array_new(Py_TYPE(like), stream, PYMIC2_INT64, ndim,
                                                 shape, 0);
    if (out == NULL)
        return NULL;
    if (pymic2__py_array_operand(out, &desc->indices) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    const int status = pymic2_sort(stream->stream, desc);
    if (status < 0) {
        Py_DECREF(out);
        return pymic2__py_raise(status);
    }
    return (PyObject *)out;
}

static PyObject *searchsorted(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"sorted", "keys", "right", NULL};
    pymic2__py_array *sorted, *keys;
    int right = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!|p:searchsorted", keywords,
                                     &pymic2__py_array_type, &sorted, &pymic2__py_array_type,
                                     &keys, &right))
        return NULL;
    pymic2_sort_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_SEARCH;
    desc.right = right;
    if (pymic2__py_array_operand(sorted, &desc.values) < 0 ||
        pymic2__py_array_operand(keys, &desc.keys) < 0)
        return NULL;
    return sort_into_new_indices(sorted, &desc, keys->ndim, keys->shape);
}

static PyObject *sort_runs(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"sorted", "equal_nan", NULL};
    pymic2__py_array *sorted;
    int equal_nan = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|p:sort_runs", keywords,
                                     &pymic2__py_array_type, &sorted, &equal_nan))
        return NULL;
    pymic2_sort_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_SORT_RUNS;
    desc.equal_nan = equal_nan;
    if (pymic2__py_array_operand(sorted, &desc.values) < 0)
        return NULL;
    const int64_t length = sorted->ndim == 1 ? sorted->shape[0] + 1 : 1;
    return sort_into_new_indices(sorted, &desc, 1, &length);
}

PyMethodDef pymic2__py_sort_methods[] = {
    {"sort_rows", (PyCFunction)(void (*)(void))sort_rows, METH_VARARGS | METH_KEYWORDS,
     "sort_rows(values, positions=False, keep_values=False, kth=None): sorts values in place "
     "along its last axis (stable, NumPy's order), or with kth (int64 positions) partitions "
     "them there; with positions returns the int64 argsort (argpartition) of the rows."},
    {"searchsorted", (PyCFunction)(void (*)(void))searchsorted, METH_VARARGS | METH_KEYWORDS,
     "searchsorted(sorted, keys, right=False): int64 insertion points of the 1-d keys into "
     "the 1-d sorted array."},
    {"sort_runs", (PyCFunction)(void (*)(void))sort_runs, METH_VARARGS | METH_KEYWORDS,
     "sort_runs(sorted, equal_nan=True): int64 starts of the runs of equal elements of the "
     "1-d sorted array, then their count (n + 1 elements)."},
    {NULL, NULL, 0, NULL},
};
