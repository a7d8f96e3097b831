/*
 * index.c - _core.index(mode, array, axis, indices, values=None): NumPy's integer-array
 * indexing through pymic2_index_launch. Key parsing (slices, masks, host index arrays) is
 * pymic2._indexing's job; here every index is a device array already. Nothing waits: an index
 * the device finds out of bounds fails the command with EINDEX, which the next sync of the
 * stream raises as IndexError (errors.c).
 */
#include "pymic2py.h"

#include <string.h>

PyObject *pymic2__py_index(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"mode", "array", "axis", "indices", "values", NULL};
    int mode, axis;
    pymic2__py_array *array;
    PyObject *indices, *values = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iO!iO!|O:index", keywords, &mode,
                                     &pymic2__py_array_type, &array, &axis, &PyTuple_Type,
                                     &indices, &values))
        return NULL;
    Py_ssize_t nindices = PyTuple_GET_SIZE(indices);
    if (nindices < 1 || nindices > PYMIC2_MAX_INDEX_ARRAYS)
        return PyErr_Format(PyExc_IndexError, "%zd index arrays; the device takes 1 to %d",
                            nindices, PYMIC2_MAX_INDEX_ARRAYS);
    pymic2_index_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.mode = (pymic2_index_mode)mode;
    desc.axis = axis;
    desc.nindices = (int)nindices;
    if ((mode == PYMIC2_INDEX_GATHER ? pymic2__py_array_operand(array, &desc.array)
                                     : pymic2__py_array_output(array, &desc.array)) < 0)
        return NULL;
    pymic2__py_array *first = NULL;
    for (Py_ssize_t j = 0; j < nindices; j++) {
        PyObject *item = PyTuple_GET_ITEM(indices, j);
        if (!PYMIC2__PY_ARRAY_CHECK(item))
            return PyErr_Format(PyExc_TypeError, "index: index %zd must be a device array, not "
                                "'%.100s'", j, Py_TYPE(item)->tp_name);
        if (j == 0)
            first = (pymic2__py_array *)item;
        if (pymic2__py_array_operand((pymic2__py_array *)item, &desc.indices[j]) < 0)
            return NULL;
    }

    PyObject *result = NULL; /* a gather's output */
    if (mode == PYMIC2_INDEX_GATHER && values == Py_None) {
        int ndim = array->ndim - (int)nindices + first->ndim;
        if (axis < 0 || axis + nindices > array->ndim || ndim > PYMIC2_MAX_DIMS)
            return PyErr_Format(PyExc_IndexError, "index: %zd index arrays from axis %d do not "
                                "fit a %d-dimensional array", nindices, axis, array->ndim);
        int64_t shape[PYMIC2_MAX_DIMS];
        int n = 0;
        for (int d = 0; d < axis; d++)
            shape[n++] = array->shape[d];
        for (int d = 0; d < first->ndim; d++)
            shape[n++] = first->shape[d];
        for (int d = axis + (int)nindices; d < array->ndim; d++)
            shape[n++] = array->shape[d];
        result = (PyObject *)pymic2__py_array_new(Py_TYPE(array), pymic2__py_op_stream(array),
                                                  array->dtype, ndim, shape, 0);
        if (result == NULL)
            return NULL;
        values = result;
    }
    if (PYMIC2__PY_ARRAY_CHECK(values)) {
        if (pymic2__py_array_operand((pymic2__py_array *)values, &desc.values) < 0)
            goto fail;
    } else {
        desc.values.dtype = array->dtype;
        if (pymic2__py_scalar_from_object(values, array->dtype, &desc.values.value) < 0)
            goto fail;
    }
    int status = pymic2_index_launch(pymic2__py_op_stream(array)->stream, &desc);
    if (status < 0) {
        pymic2__py_raise(status);
        goto fail;
    }
    if (result != NULL)
        return result;
    Py_RETURN_NONE;
fail:
    Py_XDECREF(result);
    return NULL;
}
