/*
 * library.c - Library (a user kernel library loaded on one device) and Kernel.
 *
 * A Kernel holds its Library, and a stream keeps an invoked Kernel alive until the call ran,
 * so a library's code is never unloaded under a pending invocation.
 */
#include "pymic2py.h"

#include <string.h>

static PyObject *library_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)type;
    static char *keywords[] = {"device", "path", NULL};
    PyObject *device, *path;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O&:Library", keywords,
                                     &pymic2__py_device_type, &device, PyUnicode_FSConverter,
                                     &path))
        return NULL;
    pymic2_library *library;
    int status = pymic2_library_load(((pymic2__py_device *)device)->device,
                                     PyBytes_AS_STRING(path), &library);
    if (status < 0) {
        Py_DECREF(path);
        return pymic2__py_raise(status);
    }
    pymic2__py_library *self = PyObject_New(pymic2__py_library, &pymic2__py_library_type);
    if (self == NULL) {
        pymic2_library_unload(library);
        Py_DECREF(path);
        return NULL;
    }
    self->library = library;
    Py_INCREF(device);
    self->device = (pymic2__py_device *)device;
    self->path = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(path));
    Py_DECREF(path);
    if (self->path == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void library_dealloc(pymic2__py_library *self)
{
    if (self->library != NULL)
        pymic2_library_unload(self->library);
    Py_XDECREF(self->device);
    Py_XDECREF(self->path);
    PyObject_Free(self);
}

static PyObject *library_find(pymic2__py_library *self, PyObject *name_object)
{
    Py_ssize_t length;
    const char *name = PyUnicode_AsUTF8AndSize(name_object, &length);
    if (name == NULL)
        return NULL;
    if (strlen(name) != (size_t)length) /* C would see only the part before the NUL */
        return PyErr_Format(PyExc_ValueError, "kernel name %R of library '%U' contains a NUL "
                            "character", name_object, self->path);
    if (self->library == NULL)
        return PyErr_Format(pymic2__py_offload_error,
                            "kernel '%s': library '%U' was unloaded", name, self->path);
    pymic2_kernel *kernel;
    int status = pymic2_kernel_find(self->library, name, &kernel);
    if (status < 0)
        return pymic2__py_raise(status);
    pymic2__py_kernel *result = PyObject_New(pymic2__py_kernel, &pymic2__py_kernel_type);
    if (result == NULL)
        return NULL;
    result->kernel = kernel;
    Py_INCREF(self);
    result->library = self;
    return (PyObject *)result;
}

static PyObject *library_get_path(pymic2__py_library *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->path);
    return self->path;
}

static PyObject *library_get_device(pymic2__py_library *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->device);
    return (PyObject *)self->device;
}

static PyObject *library_repr(pymic2__py_library *self)
{
    return PyUnicode_FromFormat("<pymic2 Library '%U' on %S>", self->path,
                                (PyObject *)self->device);
}

static PyMethodDef library_methods[] = {
    {"find", (PyCFunction)library_find, METH_O,
     "find(name) -> Kernel; OffloadError if the library has no such kernel."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef library_getset[] = {
    {"path", (getter)library_get_path, NULL, "The file that was loaded.", NULL},
    {"device", (getter)library_get_device, NULL, "The device the library is loaded on.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pymic2__py_library_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.Library",
    .tp_doc = "Library(device, path): a kernel library loaded on a device.",
    .tp_basicsize = sizeof(pymic2__py_library),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = library_new,
    .tp_dealloc = (destructor)library_dealloc,
    .tp_repr = (reprfunc)library_repr,
    .tp_methods = library_methods,
    .tp_getset = library_getset,
};

/* ---------------------------------------------------------------- Kernel */

static void kernel_dealloc(pymic2__py_kernel *self)
{
    Py_XDECREF(self->library);
    PyObject_Free(self);
}

static PyObject *kernel_get_name(pymic2__py_kernel *self, void *closure)
{
    (void)closure;
    return PyUnicode_FromString(pymic2_kernel_name(self->kernel));
}

static PyObject *kernel_get_library(pymic2__py_kernel *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->library);
    return (PyObject *)self->library;
}

static PyObject *kernel_get_device(pymic2__py_kernel *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->library->device);
    return (PyObject *)self->library->device;
}

/* pyMIC's kernel: the tuple (name, function address, device, library); the address is None
 * on devices whose code has none (OpenCL). The object reads as that tuple (len, indexing,
 * iteration, unpacking, equality, hash), as pyMIC's kernels were tuples. */
static PyObject *kernel_as_tuple(pymic2__py_kernel *self)
{
    uintptr_t address;
    PyObject *pointer;
    if (pymic2_kernel_address(self->kernel, &address) == PYMIC2_OK) {
        pointer = PyLong_FromUnsignedLongLong(address);
        if (pointer == NULL)
            return NULL;
    } else {
        Py_INCREF(Py_None);
        pointer = Py_None;
    }
    PyObject *name = PyUnicode_FromString(pymic2_kernel_name(self->kernel));
    if (name == NULL) {
        Py_DECREF(pointer);
        return NULL;
    }
    return Py_BuildValue("(NNOO)", name, pointer, (PyObject *)self->library->device,
                         (PyObject *)self->library);
}

static Py_ssize_t kernel_length(pymic2__py_kernel *self)
{
    (void)self;
    return 4;
}

static PyObject *kernel_subscript(pymic2__py_kernel *self, PyObject *key)
{
    PyObject *tuple = kernel_as_tuple(self);
    if (tuple == NULL)
        return NULL;
    PyObject *item = PyObject_GetItem(tuple, key);
    Py_DECREF(tuple);
    return item;
}

static PyObject *kernel_iter(pymic2__py_kernel *self)
{
    PyObject *tuple = kernel_as_tuple(self);
    if (tuple == NULL)
        return NULL;
    PyObject *iterator = PyObject_GetIter(tuple);
    Py_DECREF(tuple);
    return iterator;
}

static PyObject *kernel_richcompare(PyObject *self, PyObject *other, int op)
{
    int other_is_kernel = PyObject_TypeCheck(other, &pymic2__py_kernel_type);
    if (!other_is_kernel && !PyTuple_Check(other))
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *left = kernel_as_tuple((pymic2__py_kernel *)self);
    if (!other_is_kernel)
        Py_INCREF(other);
    PyObject *right = other_is_kernel ? kernel_as_tuple((pymic2__py_kernel *)other) : other;
    PyObject *result = left && right ? PyObject_RichCompare(left, right, op) : NULL;
    Py_XDECREF(left);
    Py_XDECREF(right);
    return result;
}

static Py_hash_t kernel_hash(pymic2__py_kernel *self)
{
    PyObject *tuple = kernel_as_tuple(self);
    if (tuple == NULL)
        return -1;
    Py_hash_t hash = PyObject_Hash(tuple);
    Py_DECREF(tuple);
    return hash;
}

static PySequenceMethods kernel_as_sequence = {
    .sq_length = (lenfunc)kernel_length,
};

static PyMappingMethods kernel_as_mapping = {
    .mp_length = (lenfunc)kernel_length,
    .mp_subscript = (binaryfunc)kernel_subscript,
};

static PyObject *kernel_repr(pymic2__py_kernel *self)
{
    return PyUnicode_FromFormat("<pymic2 Kernel '%s' of '%U' on %S>",
                                pymic2_kernel_name(self->kernel), self->library->path,
                                (PyObject *)self->library->device);
}

static PyGetSetDef kernel_getset[] = {
    {"name", (getter)kernel_get_name, NULL, "The kernel's symbol name.", NULL},
    {"library", (getter)kernel_get_library, NULL, "The Library it was found in.", NULL},
    {"device", (getter)kernel_get_device, NULL, "The device its library is loaded on.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pymic2__py_kernel_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pymic2._core.Kernel",
    .tp_doc = "A kernel of a loaded library (Library.find), for Stream.invoke; reads as pyMIC's "
              "tuple (name, address, device, library).",
    .tp_basicsize = sizeof(pymic2__py_kernel),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)kernel_dealloc,
    .tp_repr = (reprfunc)kernel_repr,
    .tp_as_sequence = &kernel_as_sequence,
    .tp_as_mapping = &kernel_as_mapping,
    .tp_iter = (getiterfunc)kernel_iter,
    .tp_richcompare = kernel_richcompare,
    .tp_hash = (hashfunc)kernel_hash,
    .tp_getset = kernel_getset,
};
