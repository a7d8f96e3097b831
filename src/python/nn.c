/*
 * nn.c - _core.softmax_cross_entropy(x, labels, ignore_label=-1, normalize=True, gloss=None):
 * Chainer's softmax cross entropy through pymic2_softmax_cross_entropy, on the stream of ops
 * on x (pymic2__py_op_stream). Without gloss it returns the loss (a new 0-d array); with gloss
 * (a 0-d array or a float) the gradient with respect to x (a new array of x's shape). The
 * fused elementwise ops of a layer (bias_relu, relu_grad) go through _core.elementwise like
 * every op row.
 */
#include "pymic2py.h"

#include <string.h>

static PyObject *softmax_cross_entropy(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"x", "labels", "ignore_label", "normalize", "gloss", NULL};
    pymic2__py_array *x, *labels;
    long long ignore_label = -1;
    int normalize = 1;
    PyObject *gloss = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!|LpO:softmax_cross_entropy", keywords,
                                     &pymic2__py_array_type, &x, &pymic2__py_array_type, &labels,
                                     &ignore_label, &normalize, &gloss))
        return NULL;
    pymic2_softmax_cross_entropy_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.pass = gloss == Py_None ? PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD
                                 : PYMIC2_SOFTMAX_CROSS_ENTROPY_BACKWARD;
    desc.ignore_label = ignore_label;
    desc.normalize = normalize;
    if (pymic2__py_array_operand(x, &desc.x) < 0 ||
        pymic2__py_array_operand(labels, &desc.labels) < 0)
        return NULL;

    pymic2__py_array *out;
    if (desc.pass == PYMIC2_SOFTMAX_CROSS_ENTROPY_FORWARD) {
        out = pymic2__py_array_new(Py_TYPE(x), pymic2__py_op_stream(x), x->dtype, 0, NULL, 0);
        if (out == NULL)
            return NULL;
        if (pymic2__py_array_operand(out, &desc.loss) < 0)
            goto fail;
    } else {
        if (PYMIC2__PY_ARRAY_CHECK(gloss)) {
            if (pymic2__py_array_operand((pymic2__py_array *)gloss, &desc.loss) < 0)
                return NULL;
        } else {
            pymic2_scalar value;
            if (pymic2__py_scalar_from_object(gloss, x->dtype, &value) < 0)
                return NULL;
            pymic2_operand_scalar(&desc.loss, x->dtype, value);
        }
        out = pymic2__py_array_new(Py_TYPE(x), pymic2__py_op_stream(x), x->dtype, x->ndim,
                                   x->shape, 0);
        if (out == NULL)
            return NULL;
        if (pymic2__py_array_operand(out, &desc.grad) < 0)
            goto fail;
    }
    int status = pymic2_softmax_cross_entropy(pymic2__py_op_stream(x)->stream, &desc);
    if (status < 0) {
        pymic2__py_raise(status);
        goto fail;
    }
    return (PyObject *)out;
fail:
    Py_DECREF(out);
    return NULL;
}

PyMethodDef pymic2__py_nn_methods[] = {
    {"softmax_cross_entropy", (PyCFunction)(void (*)(void))softmax_cross_entropy,
     METH_VARARGS | METH_KEYWORDS,
     "softmax_cross_entropy(x, labels, ignore_label=-1, normalize=True, gloss=None): Chainer's "
     "softmax cross entropy: the 0-d loss, or with gloss the gradient for x."},
    {NULL, NULL, 0, NULL},
};
