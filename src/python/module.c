/*
 * module.c - the extension module pymic2._core: types, constants and module functions.
 *
 * NumPy is used only as a Python module (numpy.dtype objects for the dtype attribute); the
 * extension needs no NumPy headers.
 */
#include "pymic2py.h"

#include <string.h>

/* ---------------------------------------------------------------- dtypes */

static PyObject *numpy_dtypes[PYMIC2_NUM_DTYPES];

PyObject *pymic2__py_numpy_dtype(pymic2_dtype dtype)
{
    if ((int)dtype < 0 || dtype >= PYMIC2_NUM_DTYPES) {
        PyErr_Format(PyExc_ValueError, "unknown dtype code %d", (int)dtype);
        return NULL;
    }
    if (numpy_dtypes[dtype] == NULL) {
        /* imported on first use: the module itself does not need NumPy to load */
        PyObject *numpy = PyImport_ImportModule("numpy");
        if (numpy == NULL)
            return NULL;
        numpy_dtypes[dtype] = PyObject_CallMethod(numpy, "dtype", "s", pymic2_dtype_name(dtype));
        Py_DECREF(numpy);
    }
    return numpy_dtypes[dtype];
}

int pymic2__py_dtype_converter(PyObject *object, void *result)
{
    long code = PyLong_AsLong(object);
    if (code == -1 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "a dtype code (int) is needed here, not '%.100s'",
                     Py_TYPE(object)->tp_name);
        return 0;
    }
    if (code < 0 || code >= PYMIC2_NUM_DTYPES) {
        PyErr_Format(PyExc_ValueError, "unknown dtype code %ld", code);
        return 0;
    }
    *(pymic2_dtype *)result = (pymic2_dtype)code;
    return 1;
}

/* What promotion sees of an operand: a dtype code (int), a weak Python scalar's type (int,
 * float, complex; bool is strong), or a numpy.dtype (its kind and itemsize). */
static int promotion_type(PyObject *object, pymic2_type *type)
{
    if (PyLong_CheckExact(object)) {
        pymic2_dtype dtype;
        if (!pymic2__py_dtype_converter(object, &dtype))
            return -1;
        *type = pymic2_dtype_type(dtype);
        return 0;
    }
    if (object == (PyObject *)&PyBool_Type) {
        *type = pymic2_dtype_type(PYMIC2_BOOL);
        return 0;
    }
    const char kind = object == (PyObject *)&PyLong_Type      ? 'i'
                      : object == (PyObject *)&PyFloat_Type   ? 'f'
                      : object == (PyObject *)&PyComplex_Type ? 'c'
                                                              : 0;
    if (kind != 0) {
        *type = (pymic2_type){kind, 0};
        return 0;
    }
    PyObject *kind_object = PyObject_GetAttrString(object, "kind");
    PyObject *size_object =
        kind_object == NULL ? NULL : PyObject_GetAttrString(object, "itemsize");
    const char *kind_text = size_object == NULL ? NULL : PyUnicode_AsUTF8(kind_object);
    long size = kind_text == NULL ? -1 : PyLong_AsLong(size_object);
    Py_XDECREF(kind_object);
    Py_XDECREF(size_object);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "result_type: %R is neither a dtype code, a Python scalar "
                     "type nor a numpy.dtype", object);
        return -1;
    }
    if (strlen(kind_text) != 1 || strchr("biufc", kind_text[0]) == NULL) {
        PyErr_Format(PyExc_TypeError, "dtype %R is not supported on pyMIC2 devices (not a "
                     "number)", object);
        return -1;
    }
    *type = (pymic2_type){kind_text[0], (int)size};
    return 0;
}

/* result_type(*operands): the dtype code NumPy 2's promotion of the operands gives, as the
 * device computes it (pymic2_promote_sequence, then pymic2_dtype_for_type). */
static PyObject *module_result_type(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs < 1)
        return PyErr_Format(PyExc_TypeError, "result_type() needs at least one operand");
    if (nargs > INT_MAX)
        return PyErr_Format(PyExc_ValueError, "result_type() of %zd operands", nargs);
    pymic2_type *types = PyMem_Malloc((size_t)nargs * sizeof *types);
    if (types == NULL)
        return PyErr_NoMemory();
    pymic2_type result;
    pymic2_dtype dtype;
    PyObject *code = NULL;
    Py_ssize_t parsed = 0;
    while (parsed < nargs && promotion_type(args[parsed], &types[parsed]) == 0)
        parsed++;
    if (parsed == nargs) { /* else promotion_type set the error */
        if (pymic2_promote_sequence((int)nargs, types, &result) < 0 ||
            pymic2_dtype_for_type(result, &dtype) < 0)
            PyErr_Format(PyExc_TypeError, "%s", pymic2_last_error());
        else
            code = PyLong_FromLong((long)dtype);
    }
    PyMem_Free(types);
    return code;
}

/* ---------------------------------------------------------------- functions */

static PyObject *module_find_device(PyObject *module, PyObject *selector)
{
    (void)module;
    const char *text = PyUnicode_AsUTF8(selector);
    if (text == NULL)
        return NULL;
    pymic2_device *device;
    int status = text[0] == '\0' ? pymic2_device_default(&device)
                                 : pymic2_device_find(text, &device);
    if (status < 0)
        return pymic2__py_raise(status);
    PyObject *result = (PyObject *)pymic2__py_device_of(device);
    Py_XINCREF(result);
    return result;
}

static PyObject *module_status_name(PyObject *module, PyObject *code)
{
    (void)module;
    long status = PyLong_AsLong(code);
    if (status == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(pymic2_status_name((int)status));
}

static PyObject *module_build_stats(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    pymic2_build_stats stats;
    int status = pymic2_build_stats_get(&stats);
    if (status < 0)
        return pymic2__py_raise(status);
    return Py_BuildValue("{sKsKsKsd}", "builds", (unsigned long long)stats.builds,
                         "disk_loads", (unsigned long long)stats.disk_loads, "memory_hits",
                         (unsigned long long)stats.memory_hits, "build_ms", stats.build_ms);
}

static PyMethodDef module_methods[] = {
    {"elementwise", (PyCFunction)(void (*)(void))pymic2__py_elementwise,
     METH_FASTCALL | METH_KEYWORDS,
     "elementwise(op, *inputs, out=None, dtype=None) -> array: one built-in op on the device. "
     "Array inputs share one dtype (COPY converts); scalars are read as that dtype."},
    {"dlpack_export", pymic2__py_dlpack_export, METH_VARARGS,
     "dlpack_export(array, versioned, copied) -> a DLPack capsule of a host-backend array (kDLCPU, "
     "zero copy; the capsule keeps the array alive)."},
    {"reduce", (PyCFunction)(void (*)(void))pymic2__py_reduce, METH_VARARGS | METH_KEYWORDS,
     "reduce(reduction, input, axes, keepdims=False, out=None) -> array: a REDUCE_* over the "
     "input dimensions in the bit mask axes, in the input's dtype."},
    {"gemm", (PyCFunction)(void (*)(void))pymic2__py_gemm, METH_VARARGS | METH_KEYWORDS,
     "gemm(a, b, out=None, accumulate=False) -> array: a @ b for operands of one dtype with "
     "ndim >= 2 (accumulate: out += a @ b)."},
    {"index", (PyCFunction)(void (*)(void))pymic2__py_index, METH_VARARGS | METH_KEYWORDS,
     "index(mode, array, axis, indices, values=None, sync=False): INDEX_GATHER (returns the "
     "result), INDEX_SCATTER or INDEX_SCATTER_ADD by a tuple of int32/int64 device index arrays "
     "of one shape; sync waits and raises IndexError for out-of-bounds indices."},
    {"random", (PyCFunction)(void (*)(void))pymic2__py_random, METH_VARARGS | METH_KEYWORDS,
     "random(out, distribution, seed, counter, a=0, b=1, low=0, high=1) -> next counter: fills "
     "out with RANDOM_UNIFORM [a, b), RANDOM_NORMAL (mean a, sd b) or RANDOM_INTEGERS [low, high)."},
    {"result_type", (PyCFunction)(void (*)(void))module_result_type, METH_FASTCALL,
     "result_type(*operands) -> dtype code: NumPy 2's promotion (NEP 50) of dtype codes, "
     "Python scalar types (int, float, complex: weak; bool) and numpy.dtypes; TypeError for a "
     "result without a device dtype (float128)."},
    {"find_device", module_find_device, METH_O,
     "find_device(selector) -> Device ('host:0', 'opencl:1', '2'; '' for the default)."},
    {"status_name", module_status_name, METH_O, "The name of a pymic2_status code."},
    {"build_stats", module_build_stats, METH_NOARGS,
     "build_stats() -> {'builds', 'disk_loads', 'memory_hits', 'build_ms'}: kernel programs "
     "this process compiled from source, loaded from the disk cache or found in memory, and "
     "the milliseconds spent in the driver's build calls."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pymic2._core",
    .m_doc = "The C core of pyMIC2: devices, streams, events, device memory, kernel libraries "
             "and the device array.",
    .m_size = -1,
    .m_methods = module_methods,
};

static int add_types(PyObject *module)
{
    static PyTypeObject *const types[] = {
        &pymic2__py_device_type, &pymic2__py_stream_type,  &pymic2__py_event_type,
        &pymic2__py_buffer_type, &pymic2__py_library_type, &pymic2__py_kernel_type,
        &pymic2__py_array_type,
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (PyType_Ready(types[i]) < 0)
            return -1;
        const char *name = strrchr(types[i]->tp_name, '.') + 1;
        Py_INCREF(types[i]);
        if (PyModule_AddObject(module, name, (PyObject *)types[i]) < 0) {
            Py_DECREF(types[i]);
            return -1;
        }
    }
    return 0;
}

/* OP_ADD, ..., REDUCE_SUM, ...; dtype codes as a {name: code} dict; limits. */
/* Adds name = {key: value} built from n pairs. */
static int add_int_dict(PyObject *module, const char *name, const int (*pairs)[2], size_t n)
{
    PyObject *dict = PyDict_New();
    if (dict == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        PyObject *key = PyLong_FromLong(pairs[i][0]);
        PyObject *value = PyLong_FromLong(pairs[i][1]);
        int failed = key == NULL || value == NULL || PyDict_SetItem(dict, key, value) < 0;
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (failed) {
            Py_DECREF(dict);
            return -1;
        }
    }
    if (PyModule_AddObject(module, name, dict) < 0) {
        Py_DECREF(dict);
        return -1;
    }
    return 0;
}

/*
 * Which reduction is NumPy's ufunc.reduce and ufunc.accumulate of an elementwise op
 * (add.reduce is sum, add.accumulate cumsum), and the op that combines each reduction's
 * elements (PYMIC2_REDUCTION_TABLE): the one mapping every Python module reads.
 */
static int add_ufunc_reductions(PyObject *module)
{
    static const int reduce[][2] = {
        {PYMIC2_OP_ADD, PYMIC2_REDUCE_SUM},          {PYMIC2_OP_MULTIPLY, PYMIC2_REDUCE_PROD},
        {PYMIC2_OP_MAXIMUM, PYMIC2_REDUCE_MAX},      {PYMIC2_OP_MINIMUM, PYMIC2_REDUCE_MIN},
        {PYMIC2_OP_LOGICAL_AND, PYMIC2_REDUCE_ALL},  {PYMIC2_OP_LOGICAL_OR, PYMIC2_REDUCE_ANY},
    };
    static const int accumulate[][2] = {
        {PYMIC2_OP_ADD, PYMIC2_REDUCE_CUMSUM}, {PYMIC2_OP_MULTIPLY, PYMIC2_REDUCE_CUMPROD},
    };
    static const int combine[][2] = {
#define REDUCE_COMBINE(NAME, name, OP, OUT) {PYMIC2_REDUCE_##NAME, PYMIC2_OP_##OP},
        PYMIC2_REDUCTION_TABLE(REDUCE_COMBINE)
#undef REDUCE_COMBINE
    };
    return add_int_dict(module, "UFUNC_REDUCE", reduce, sizeof reduce / sizeof reduce[0]) < 0 ||
                   add_int_dict(module, "UFUNC_ACCUMULATE", accumulate,
                                sizeof accumulate / sizeof accumulate[0]) < 0 ||
                   add_int_dict(module, "REDUCE_COMBINE", combine,
                                sizeof combine / sizeof combine[0]) < 0
               ? -1
               : 0;
}

static int add_constants(PyObject *module)
{
#define OP_CONSTANT(NAME, name, ninputs) \
    if (PyModule_AddIntConstant(module, "OP_" #NAME, PYMIC2_OP_##NAME) < 0) \
        return -1;
    PYMIC2_OP_TABLE(OP_CONSTANT)
#undef OP_CONSTANT
#define REDUCE_CONSTANT(NAME, name, OP, OUT) \
    if (PyModule_AddIntConstant(module, "REDUCE_" #NAME, PYMIC2_REDUCE_##NAME) < 0) \
        return -1;
    PYMIC2_REDUCTION_TABLE(REDUCE_CONSTANT)
#undef REDUCE_CONSTANT
#define FUSED_CONSTANT(NAME, name, kinds, written, optional, params) \
    if (PyModule_AddIntConstant(module, "FUSED_" #NAME, PYMIC2_FUSED_##NAME) < 0) \
        return -1;
    PYMIC2_FUSED_TABLE(FUSED_CONSTANT)
#undef FUSED_CONSTANT
    static const struct {
        const char *name;
        int value;
    } index_random[] = {
        {"INDEX_GATHER", PYMIC2_INDEX_GATHER},     {"INDEX_SCATTER", PYMIC2_INDEX_SCATTER},
        {"INDEX_SCATTER_ADD", PYMIC2_INDEX_SCATTER_ADD}, {"RANDOM_UNIFORM", PYMIC2_RANDOM_UNIFORM},
        {"RANDOM_NORMAL", PYMIC2_RANDOM_NORMAL}, {"RANDOM_INTEGERS", PYMIC2_RANDOM_INTEGERS},
        {"FFT_C2C", PYMIC2_FFT_C2C}, {"FFT_R2C", PYMIC2_FFT_R2C}, {"FFT_C2R", PYMIC2_FFT_C2R},
        {"WINDOWS_IM2COL", PYMIC2_WINDOWS_IM2COL}, {"WINDOWS_COL2IM", PYMIC2_WINDOWS_COL2IM},
        {"WINDOWS_MAX_POOL", PYMIC2_WINDOWS_MAX_POOL},
        {"WINDOWS_MAX_UNPOOL", PYMIC2_WINDOWS_MAX_UNPOOL},
        {"WINDOWS_AVERAGE_POOL", PYMIC2_WINDOWS_AVERAGE_POOL},
        {"WINDOWS_AVERAGE_UNPOOL", PYMIC2_WINDOWS_AVERAGE_UNPOOL},
        {"LINALG_LU", PYMIC2_LINALG_LU}, {"LINALG_SOLVE", PYMIC2_LINALG_SOLVE},
        {"LINALG_CHOLESKY", PYMIC2_LINALG_CHOLESKY}, {"LINALG_QR", PYMIC2_LINALG_QR},
        {"LINALG_SVD", PYMIC2_LINALG_SVD}, {"LINALG_EIGH", PYMIC2_LINALG_EIGH},
        {"LINALG_EIG", PYMIC2_LINALG_EIG},
    };
    for (size_t i = 0; i < sizeof index_random / sizeof index_random[0]; i++)
        if (PyModule_AddIntConstant(module, index_random[i].name, index_random[i].value) < 0)
            return -1;
    PyObject *codes = PyDict_New();
    if (codes == NULL)
        return -1;
    for (int code = 0; code < PYMIC2_NUM_DTYPES; code++) {
        PyObject *value = PyLong_FromLong(code);
        int failed = value == NULL ||
                     PyDict_SetItemString(codes, pymic2_dtype_name((pymic2_dtype)code), value) < 0;
        Py_XDECREF(value);
        if (failed) {
            Py_DECREF(codes);
            return -1;
        }
    }
    if (PyModule_AddObject(module, "dtype_codes", codes) < 0) {
        Py_DECREF(codes);
        return -1;
    }
    if (add_ufunc_reductions(module) < 0 ||
        PyModule_AddIntConstant(module, "MAX_KERNEL_ARGS", PYMIC2_MAX_KERNEL_ARGS) < 0 ||
        PyModule_AddIntConstant(module, "MAX_DIMS", PYMIC2_MAX_DIMS) < 0)
        return -1;
    return 0;
}

PyMODINIT_FUNC PyInit__core(void)
{
    int status = pymic2_init();
    if (status < 0) /* OffloadError does not exist yet */
        return PyErr_Format(PyExc_ImportError, "pymic2: the runtime failed to start: %s (%s)",
                            pymic2_last_error(), pymic2_status_name(status));
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    if (pymic2__py_errors_init(module) < 0 || add_types(module) < 0 ||
        PyModule_AddFunctions(module, pymic2__py_nn_methods) < 0 ||
        PyModule_AddFunctions(module, pymic2__py_sort_methods) < 0 ||
        PyModule_AddFunctions(module, pymic2__py_fft_methods) < 0 ||
        PyModule_AddFunctions(module, pymic2__py_linalg_methods) < 0 ||
        PyModule_AddFunctions(module, pymic2__py_histogram_methods) < 0 ||
        add_constants(module) < 0 || pymic2__py_devices_init(module) < 0 ||
        pymic2__py_current_init(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    pymic2__py_interrupts_init();
    return module;
}
