/*
 * elementwise.c - _core.elementwise(op, *inputs, out=None, dtype=None): one built-in op on
 * arrays and Python scalars, with NumPy broadcasting, the output allocated from the pool and
 * the op launched with pymic2_op_launch. This is the hot path of every array operator, so it
 * does no Python-level work beyond argument checks.
 *
 * Type promotion is the caller's job (pymic2._math, NumPy's rules): here every array input of
 * an arithmetic op must already have the computation dtype. COPY converts between dtypes.
 * An `out` that partly overlaps an input is computed in a temporary (NumPy's semantics).
 */
#include "pymic2py.h"

#include <string.h>

/* ---------------------------------------------------------------- scalars */

/* Stores an integer `value` (as_double: the same as a double) into the scalar of a dtype of
 * each class: integers and bool must hold it (NumPy's OverflowError otherwise). */
#define STORE_INTEGER_BOOL STORE_INTEGER_INT
#define STORE_INTEGER_INT(ctype, member, lowest, highest)                                     \
    if (value < (long long)(lowest) ||                                                        \
        (value > 0 && (unsigned long long)value > (unsigned long long)(highest)))             \
        goto out_of_bounds;                                                                   \
    out->member = (ctype)value;
#define STORE_INTEGER_FLOAT(ctype, member, lowest, highest) out->member = (ctype)as_double;
#define STORE_INTEGER_COMPLEX(ctype, member, lowest, highest) out->member[0] = as_double;

static int integer_scalar(PyObject *object, pymic2_dtype dtype, pymic2_scalar *out)
{
    const char kind = pymic2_dtype_kind(dtype);
    const char *name = pymic2_dtype_name(dtype);
    PyObject *integer = PyNumber_Index(object);
    if (integer == NULL)
        return -1;
    int overflow;
    long long value = PyLong_AsLongLongAndOverflow(integer, &overflow);
    if (overflow > 0 && kind == 'u' && pymic2_dtype_size(dtype) == sizeof(uint64_t)) {
        /* above INT64_MAX: only uint64 holds it */
        out->u64 = PyLong_AsUnsignedLongLong(integer);
        overflow = out->u64 == (uint64_t)-1 && PyErr_Occurred() ? 1 : 0;
        PyErr_Clear();
        if (overflow == 0) {
            Py_DECREF(integer);
            return 0;
        }
    }
    if (overflow != 0 && kind != 'f' && kind != 'c') {
        PyErr_Format(PyExc_OverflowError, "Python integer %S out of bounds for %s", integer,
                     name);
        Py_DECREF(integer);
        return -1;
    }
    double as_double = overflow != 0 ? PyLong_AsDouble(integer) : (double)value;
    Py_DECREF(integer);
    if (as_double == -1.0 && PyErr_Occurred())
        return -1;
    switch (dtype) {
#define INTEGER_CASE(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, lowest, \
                     highest, ...)                                                             \
    case PYMIC2_##NAME:                                                                        \
        STORE_INTEGER_##CLASS(ctype, member, lowest, highest) return 0;
        PYMIC2_DTYPE_TABLE(INTEGER_CASE, ~)
#undef INTEGER_CASE
    default:
        return -1; /* the caller checked the dtype */
    }
out_of_bounds:
    PyErr_Format(PyExc_OverflowError, "Python integer %lld out of bounds for %s", value, name);
    return -1;
}

/* A Python float (complex) into the scalar of a float or complex (complex) dtype. */
#define STORE_FLOAT_BOOL(ctype, member)
#define STORE_FLOAT_INT(ctype, member)
#define STORE_FLOAT_FLOAT(ctype, member) out->member = (ctype)real;
#define STORE_FLOAT_COMPLEX(ctype, member) out->member[0] = real, out->member[1] = imag;

static void float_scalar(double real, double imag, pymic2_dtype dtype, pymic2_scalar *out)
{
    switch (dtype) {
#define FLOAT_CASE(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, ...) \
    case PYMIC2_##NAME:                                                                   \
        STORE_FLOAT_##CLASS(real_ctype, member) return;
        PYMIC2_DTYPE_TABLE(FLOAT_CASE, ~)
#undef FLOAT_CASE
    default:
        return;
    }
}

int pymic2__py_scalar_from_object(PyObject *object, pymic2_dtype dtype, pymic2_scalar *out)
{
    memset(out, 0, sizeof(*out));
    const char kind = pymic2_dtype_kind(dtype);
    const char *name = pymic2_dtype_name(dtype);
    if (kind != 0 && (PyBool_Check(object) || (!PyFloat_Check(object) &&
                                               !PyComplex_Check(object) && PyIndex_Check(object))))
        return integer_scalar(object, dtype, out);
    if (PyFloat_Check(object) && (kind == 'f' || kind == 'c')) {
        float_scalar(PyFloat_AS_DOUBLE(object), 0.0, dtype, out);
        return 0;
    }
    if (PyComplex_Check(object) && kind == 'c') {
        float_scalar(PyComplex_RealAsDouble(object), PyComplex_ImagAsDouble(object), dtype, out);
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "cannot use a scalar of type '%.100s' in an operation on %s data without "
                 "promotion",
                 Py_TYPE(object)->tp_name, name != NULL ? name : "unknown");
    return -1;
}

/* ---------------------------------------------------------------- broadcasting */

static int broadcast(int ninputs, pymic2__py_array *const *arrays, int *ndim, int64_t *shape)
{
    *ndim = 0;
    for (int k = 0; k < ninputs; k++) {
        const pymic2__py_array *a = arrays[k];
        if (a == NULL || pymic2_broadcast_shape(ndim, shape, a->ndim, a->shape))
            continue;
        PyObject *shapes = PyUnicode_FromString("");
        for (int j = 0; j < ninputs && shapes != NULL; j++) {
            if (arrays[j] == NULL)
                continue;
            char text[PYMIC2_MAX_DIMS * 24 + 4];
            pymic2__py_format_shape(text, sizeof(text), arrays[j]->ndim, arrays[j]->shape);
            Py_SETREF(shapes, PyUnicode_FromFormat("%U %s", shapes, text));
        }
        if (shapes != NULL) {
            PyErr_Format(PyExc_ValueError,
                         "operands could not be broadcast together with shapes%U", shapes);
            Py_DECREF(shapes);
        }
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- overlap */

int pymic2__py_arrays_overlap(const pymic2__py_array *input, const pymic2__py_array *output)
{
    if (input->buffer != output->buffer || pymic2__py_array_size(input) == 0 ||
        pymic2__py_array_size(output) == 0)
        return 0;
    if (input->offset == output->offset && input->ndim == output->ndim &&
        input->dtype == output->dtype &&
        memcmp(input->shape, output->shape, sizeof(int64_t) * (size_t)input->ndim) == 0 &&
        memcmp(input->strides, output->strides, sizeof(int64_t) * (size_t)input->ndim) == 0)
        return 0; /* the very same elements: in place */
    /* the bytes each addresses (every view of an array fits an int64: array.c checked) */
    int64_t input_low, input_high, output_low, output_high;
    pymic2_view_extent(input->offset, input->ndim, input->shape, input->strides,
                       pymic2_dtype_size(input->dtype), &input_low, &input_high);
    pymic2_view_extent(output->offset, output->ndim, output->shape, output->strides,
                       pymic2_dtype_size(output->dtype), &output_low, &output_high);
    return input_low < output_high && output_low < input_high;
}

int pymic2__py_copy_into(pymic2__py_array *source, pymic2__py_array *out)
{
    pymic2_op_desc desc;
    memset(&desc, 0, sizeof(desc));
    desc.op = PYMIC2_OP_COPY;
    desc.noperands = 2;
    if (pymic2__py_array_operand(source, &desc.operands[0]) < 0 ||
        pymic2__py_array_output(out, &desc.operands[1]) < 0)
        return -1;
    int status = pymic2_op_launch(pymic2__py_op_stream(out)->stream, &desc);
    return status < 0 ? pymic2__py_fail(status) : 0;
}

/* ---------------------------------------------------------------- the entry point */

typedef struct {
    const char *name;
    int ninputs;
} op_info;

static const op_info op_table[] = {
#define OP_INFO(NAME, name, ninputs) {#name, ninputs},
    PYMIC2_OP_TABLE(OP_INFO)
#undef OP_INFO
};

static int is_condition(pymic2_op op, int k)
{
    return op == PYMIC2_OP_WHERE && k == 0;
}

/* The dtype input k is read as: WHERE's condition is bool, the others the computation's. */
static pymic2_dtype input_dtype(pymic2_op op, int k, pymic2_dtype compute)
{
    return is_condition(op, k) ? PYMIC2_BOOL : compute;
}

/* One call of elementwise(op, *inputs, out=None, dtype=None), parsed. */
typedef struct elementwise_call {
    pymic2_op op;
    const op_info *info;
    int ninputs;
    PyObject *const *inputs;                        /* arrays or scalars */
    pymic2__py_array *arrays[PYMIC2_MAX_OPERANDS]; /* the array inputs, NULL for scalars */
    pymic2__py_array *first;                        /* the first array input, or NULL */
    pymic2__py_array *out;                          /* borrowed; NULL without out= */
    PyObject *dtype_object;
} elementwise_call;

/* The op, its inputs and the keywords out= and dtype=; -1 with an exception set. */
static int parse_elementwise(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                             elementwise_call *call)
{
    PyObject *out_object = Py_None;
    call->dtype_object = Py_None;
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        if (PyUnicode_CompareWithASCIIString(key, "out") == 0)
            out_object = args[nargs + i];
        else if (PyUnicode_CompareWithASCIIString(key, "dtype") == 0)
            call->dtype_object = args[nargs + i];
        else
            return PyErr_Format(PyExc_TypeError, "elementwise() got an unexpected keyword '%U'",
                                key), -1;
    }
    if (nargs < 1)
        return PyErr_Format(PyExc_TypeError, "elementwise(op, *inputs) needs an op"), -1;
    long op_code = PyLong_AsLong(args[0]);
    if (op_code == -1 && PyErr_Occurred())
        return -1;
    if (op_code < 0 || op_code >= PYMIC2_NUM_OPS)
        return PyErr_Format(PyExc_ValueError, "elementwise: unknown op %ld", op_code), -1;
    call->op = (pymic2_op)op_code;
    call->info = &op_table[call->op];
    call->ninputs = (int)nargs - 1;
    call->inputs = args + 1;
    if (call->ninputs != call->info->ninputs)
        return PyErr_Format(PyExc_TypeError, "%s takes %d inputs, %d given", call->info->name,
                            call->info->ninputs, call->ninputs), -1;
    call->out = NULL;
    if (out_object != Py_None) {
        if (!PYMIC2__PY_ARRAY_CHECK(out_object))
            return PyErr_Format(PyExc_TypeError, "%s: out must be a pymic2 array, not '%.100s'",
                                call->info->name, Py_TYPE(out_object)->tp_name), -1;
        call->out = (pymic2__py_array *)out_object;
    }
    call->first = NULL;
    for (int k = 0; k < call->ninputs; k++) {
        call->arrays[k] = NULL;
        if (PYMIC2__PY_ARRAY_CHECK(call->inputs[k])) {
            call->arrays[k] = (pymic2__py_array *)call->inputs[k];
            if (call->first == NULL)
                call->first = call->arrays[k];
        }
    }
    return 0;
}

/* A copy's dtypes: the output's from out, dtype= or the input; the input's own (a scalar is
 * read as the output's). */
static int copy_dtypes(const elementwise_call *call, pymic2_dtype *compute,
                       pymic2_dtype *out_dtype)
{
    if (call->out != NULL)
        *out_dtype = call->out->dtype;
    else if (call->dtype_object != Py_None) {
        if (!pymic2__py_dtype_converter(call->dtype_object, out_dtype))
            return -1;
    } else if (call->first != NULL)
        *out_dtype = call->first->dtype;
    else
        return PyErr_Format(PyExc_TypeError, "copy of a scalar needs out or dtype"), -1;
    *compute = call->first != NULL ? call->first->dtype : *out_dtype;
    return 0;
}

/* Another op's dtypes: the computation's is the first array input that is not WHERE's
 * condition (or out's, for ops on scalars only: ARANGE); every array input must have it
 * (Python promotes first); the output's is the op's rule. */
static int op_dtypes(const elementwise_call *call, pymic2_dtype *compute,
                     pymic2_dtype *out_dtype)
{
    const char *name = call->info->name;
    if (call->dtype_object != Py_None)
        return PyErr_Format(PyExc_TypeError, "%s: dtype= is only for copy", name), -1;
    const pymic2__py_array *typed = call->out;
    for (int k = 0; k < call->ninputs; k++) {
        if (call->arrays[k] != NULL && !is_condition(call->op, k)) {
            typed = call->arrays[k];
            break;
        }
    }
    if (typed == NULL)
        return PyErr_Format(PyExc_TypeError, "%s needs an array input or out", name), -1;
    *compute = typed->dtype;
    for (int k = 0; k < call->ninputs; k++) {
        pymic2_dtype expected = input_dtype(call->op, k, *compute);
        if (call->arrays[k] != NULL && call->arrays[k]->dtype != expected)
            return PyErr_Format(PyExc_TypeError,
                                "%s: input %d has dtype %s where %s is needed; promote "
                                "the inputs first",
                                name, k, pymic2_dtype_name(call->arrays[k]->dtype),
                                pymic2_dtype_name(expected)), -1;
    }
    if (pymic2_op_result_dtype(call->op, *compute, out_dtype) < 0)
        return pymic2__py_raise(PYMIC2_EINVAL), -1;
    if (call->out != NULL && call->out->dtype != *out_dtype)
        return PyErr_Format(PyExc_TypeError, "%s: out has dtype %s, the result is %s", name,
                            pymic2_dtype_name(call->out->dtype),
                            pymic2_dtype_name(*out_dtype)), -1;
    return 0;
}

/* The descriptor's input operands: the arrays, and the scalars converted to the dtype they
 * are read as. */
static int fill_inputs(const elementwise_call *call, pymic2_dtype compute,
                       pymic2_dtype out_dtype, pymic2_op_desc *desc)
{
    memset(desc, 0, sizeof(*desc));
    desc->op = call->op;
    desc->noperands = call->ninputs + 1;
    for (int k = 0; k < call->ninputs; k++) {
        pymic2_operand *operand = &desc->operands[k];
        if (call->arrays[k] != NULL) {
            if (pymic2__py_array_operand(call->arrays[k], operand) < 0)
                return -1;
        } else {
            pymic2_dtype scalar_dtype = call->op == PYMIC2_OP_COPY
                                            ? out_dtype
                                            : input_dtype(call->op, k, compute);
            pymic2_scalar value;
            if (pymic2__py_scalar_from_object(call->inputs[k], scalar_dtype, &value) < 0)
                return -1;
            pymic2_operand_scalar(operand, scalar_dtype, value);
        }
    }
    return 0;
}

/* A new reference to the output: out=, or a new array of the broadcast shape on the device
 * (and of the type) of `like`. */
static pymic2__py_array *new_output(const elementwise_call *call, pymic2__py_array *like,
                                    pymic2_dtype out_dtype)
{
    if (call->out != NULL) {
        Py_INCREF(call->out);
        return call->out;
    }
    int ndim, fortran = 1;
    int64_t shape[PYMIC2_MAX_DIMS];
    if (broadcast(call->ninputs, call->arrays, &ndim, shape) < 0)
        return NULL;
    /* keep column-major layout when every array input has it (NumPy's order='K' case) */
    for (int k = 0; k < call->ninputs; k++)
        if (call->arrays[k] != NULL && (pymic2__py_array_is_c_contiguous(call->arrays[k]) ||
                                        !pymic2__py_array_is_f_contiguous(call->arrays[k])))
            fortran = 0;
    return pymic2__py_array_new(Py_TYPE(like), pymic2__py_op_stream(like), out_dtype, ndim,
                                shape, fortran);
}

/* Where the op writes: out itself, or a new temporary when out overlaps an input other than
 * element for element (a[1:] += a[:-1]): the op may only write over an input it reads
 * element for element (pymic2_ops.h), so this goes through a temporary, as NumPy's overlap
 * handling does. The temporary is a new reference, out is returned as is (as
 * pymic2__py_launch_into takes them); NULL with an exception set. */
static pymic2__py_array *write_target(const elementwise_call *call, pymic2__py_array *out)
{
    for (int k = 0; k < call->ninputs; k++)
        if (call->arrays[k] != NULL && pymic2__py_arrays_overlap(call->arrays[k], out))
            return pymic2__py_array_new(Py_TYPE(out), pymic2__py_op_stream(out), out->dtype,
                                        out->ndim, out->shape, 0);
    return out;
}

PyObject *pymic2__py_elementwise(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    (void)module;
    elementwise_call call;
    if (parse_elementwise(args, nargs, kwnames, &call) < 0)
        return NULL;
    /* the dtype inputs are read as (scalars are converted to it), and the output's */
    pymic2_dtype compute, out_dtype;
    if ((call.op == PYMIC2_OP_COPY ? copy_dtypes : op_dtypes)(&call, &compute, &out_dtype) < 0)
        return NULL;
    /* the output's type and device come from here */
    pymic2__py_array *like = call.first != NULL ? call.first : call.out;
    if (like == NULL)
        return PyErr_Format(PyExc_TypeError, "%s of scalars only needs out", call.info->name);
    pymic2_op_desc desc;
    if (fill_inputs(&call, compute, out_dtype, &desc) < 0)
        return NULL;
    pymic2__py_array *out = new_output(&call, like, out_dtype);
    if (out == NULL || pymic2__py_array_size(out) == 0)
        return (PyObject *)out;
    pymic2__py_array *target = write_target(&call, out);
    if (target == NULL) {
        Py_DECREF(out);
        return NULL;
    }
    return pymic2__py_launch_into(&desc, call.ninputs, target, out);
}

PyObject *pymic2__py_launch_into(pymic2_op_desc *desc, int out_index, pymic2__py_array *target,
                                 pymic2__py_array *out)
{
    int failed = pymic2__py_array_check_writeable(out) < 0 ||
                 pymic2__py_array_operand(target, &desc->operands[out_index]) < 0;
    if (!failed) {
        int status = pymic2_op_launch(pymic2__py_op_stream(out)->stream, desc);
        if (status < 0) {
            pymic2__py_raise(status);
            failed = 1;
        }
    }
    if (!failed && target != out)
        failed = pymic2__py_copy_into(target, out) < 0;
    if (target != out)
        Py_DECREF(target);
    if (failed) {
        Py_DECREF(out);
        return NULL;
    }
    return (PyObject *)out;
}
