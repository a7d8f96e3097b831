/*
 * histogram.c - the HISTOGRAM family in _core, on the stream of ops on the values
 * (pymic2__py_op_stream):
 *   histogram(values, rules, nbins, edges=None, weights=None): the new 1-d array (int64
 *     counts, or float64 sums of the weights) of the product of nbins bins: values is (n,)
 *     or (n, D); rules and nbins are D-tuples, a rule "integer", "even" or "edges" (see
 *     pymic2_histogram); edges the float64 edges of the "even" and "edges" axes, one axis
 *     after another; weights float64 (n,); low: the value of integer bin 0.
 *   histogram_member(keys, tests, low, nbins, invert=False): the new bool array (keys' 1-d
 *     shape) of whether key - low is one of tests - low in 0..nbins-1: isin's table method,
 *     a bitmap of the tests (MARK) that each key looks up (MEMBER).
 *   histogram_range(values): the new 2-element array (values' dtype) of the least and the
 *     greatest of 1-d bool or integer values, in one pass.
 */
#include "pymic2py.h"

#include <string.h>

/* desc's rules and bins from two sequences; -1 with an exception. */
static int parse_axes(PyObject *rules, PyObject *nbins, pymic2_histogram_desc *desc)
{
    static const char *const names[] = {"integer", "even", "edges"};
    const Py_ssize_t naxes = PySequence_Size(rules);
    if (naxes < 1 || naxes > PYMIC2_MAX_HISTOGRAM_AXES || PySequence_Size(nbins) != naxes) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "histogram: 1 to %d rules and as many bin counts",
                         PYMIC2_MAX_HISTOGRAM_AXES);
        return -1;
    }
    desc->naxes = (int)naxes;
    for (Py_ssize_t a = 0; a < naxes; a++) {
        PyObject *count = PySequence_GetItem(nbins, a);
        desc->nbins[a] = count ? PyLong_AsLongLong(count) : -1;
        Py_XDECREF(count);
        PyObject *rule = PySequence_GetItem(rules, a);
        const char *name = rule && !PyErr_Occurred() ? PyUnicode_AsUTF8(rule) : NULL;
        int k = 0;
        while (name != NULL && k < 3 && strcmp(name, names[k]) != 0)
            k++;
        if (name != NULL && k == 3)
            PyErr_Format(PyExc_ValueError, "histogram: rule %R is not 'integer', 'even' or "
                         "'edges'", rule);
        Py_XDECREF(rule);
        if (name == NULL || k == 3)
            return -1;
        desc->rules[a] = (pymic2_bin_rule)k;
    }
    return 0;
}

/* A new 1-d array of `length` elements of `dtype` that desc's op writes into `out` (counts
 * or found) on `stream`; NULL with an exception. */
static PyObject *histogram_into(pymic2__py_array *values, pymic2__py_stream *stream,
                                pymic2_histogram_desc *desc, pymic2_operand *out,
                                pymic2_dtype dtype, int64_t length)
{
    if (pymic2__py_array_operand(values, &desc->values) < 0)
        return NULL;
    pymic2__py_array *array = pymic2__py_array_new(Py_TYPE(values), stream, dtype, 1, &length,
                                                   0);
    if (array == NULL)
        return NULL;
    int status = pymic2__py_array_operand(array, out) < 0
                     ? -1
                     : pymic2_histogram(stream->stream, desc);
    if (status < 0) {
        Py_DECREF(array);
        return PyErr_Occurred() ? NULL : pymic2__py_raise(status);
    }
    return (PyObject *)array;
}

static PyObject *histogram(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"values", "rules", "nbins", "edges", "weights", "low", NULL};
    pymic2__py_array *values, *edges = NULL, *weights = NULL;
    PyObject *rules, *nbins, *edges_arg = Py_None, *weights_arg = Py_None;
    long long low = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OO|OOL:histogram", keywords,
                                     &pymic2__py_array_type, &values, &rules, &nbins,
                                     &edges_arg, &weights_arg, &low))
        return NULL;
    pymic2_histogram_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.low = low;
    if (parse_axes(rules, nbins, &desc) < 0)
        return NULL;
    PyObject *optional[] = {edges_arg, weights_arg};
    pymic2__py_array **arrays[] = {&edges, &weights};
    pymic2_operand *operands[] = {&desc.edges, &desc.weights};
    for (int k = 0; k < 2; k++) {
        if (optional[k] == Py_None)
            continue;
        if (!PyObject_TypeCheck(optional[k], &pymic2__py_array_type)) {
            PyErr_SetString(PyExc_TypeError, "histogram: edges and weights must be device "
                            "arrays or None");
            return NULL;
        }
        *arrays[k] = (pymic2__py_array *)optional[k];
        if (pymic2__py_array_operand(*arrays[k], operands[k]) < 0)
            return NULL;
    }
    int64_t bins = 1;
    for (int a = 0; a < desc.naxes; a++)
        bins *= desc.nbins[a] > 0 ? desc.nbins[a] : 1; /* the launcher checks them */
    return histogram_into(values, pymic2__py_op_stream(values), &desc, &desc.counts,
                          weights ? PYMIC2_FLOAT64 : PYMIC2_INT64, bins);
}

static PyObject *histogram_member(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"keys", "tests", "low", "nbins", "invert", NULL};
    pymic2__py_array *keys, *tests;
    long long low, nbins;
    int invert = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!LL|p:histogram_member", keywords,
                                     &pymic2__py_array_type, &keys, &pymic2__py_array_type,
                                     &tests, &low, &nbins, &invert))
        return NULL;
    if (keys->ndim != 1) {
        PyErr_SetString(PyExc_ValueError, "histogram_member: the keys must be 1-d");
        return NULL;
    }
    pymic2_histogram_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_HISTOGRAM_MARK;
    desc.naxes = 1;
    desc.nbins[0] = nbins;
    desc.low = low;
    /* both on the keys' stream: the bitmap is written and read in order */
    pymic2__py_stream *stream = pymic2__py_op_stream(keys);
    PyObject *bitmap = histogram_into(tests, stream, &desc, &desc.counts, PYMIC2_UINT32,
                                      nbins > 0 ? nbins / 32 + (nbins % 32 != 0) : 0);
    if (bitmap == NULL)
        return NULL;
    desc.op = PYMIC2_HISTOGRAM_MEMBER;
    desc.invert = invert;
    PyObject *found = pymic2__py_array_operand((pymic2__py_array *)bitmap, &desc.counts) < 0
                          ? NULL
                          : histogram_into(keys, stream, &desc, &desc.found, PYMIC2_BOOL,
                                           keys->shape[0]);
    Py_DECREF(bitmap); /* the stream's command holds its buffer */
    return found;
}

static PyObject *histogram_range(PyObject *module, PyObject *values)
{
    (void)module;
    if (!PyObject_TypeCheck(values, &pymic2__py_array_type)) {
        PyErr_SetString(PyExc_TypeError, "histogram_range: the values must be a device array");
        return NULL;
    }
    pymic2_histogram_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = PYMIC2_HISTOGRAM_RANGE;
    pymic2__py_array *array = (pymic2__py_array *)values;
    return histogram_into(array, pymic2__py_op_stream(array), &desc, &desc.counts,
                          array->dtype, 2);
}

PyMethodDef pymic2__py_histogram_methods[] = {
    {"histogram", (PyCFunction)(void (*)(void))histogram, METH_VARARGS | METH_KEYWORDS,
     "histogram(values, rules, nbins, edges=None, weights=None): the 1-d int64 counts (float64 "
     "weighted sums) of the bins of values' (n,) or (n, D) positions (integer bins from low)."},
    {"histogram_member", (PyCFunction)(void (*)(void))histogram_member,
     METH_VARARGS | METH_KEYWORDS,
     "histogram_member(keys, tests, low, nbins, invert=False): bool array, keys' 1-d shape: "
     "whether key - low is one of tests - low in 0..nbins-1, negated with invert."},
    {"histogram_range", histogram_range, METH_O,
     "histogram_range(values): the least and the greatest of 1-d bool or integer values."},
    {NULL, NULL, 0, NULL},
};
