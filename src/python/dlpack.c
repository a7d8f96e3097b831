/*
 * dlpack.c - _core.dlpack_export(array, versioned, copied): a DLPack capsule describing a device
 * array's memory, for ndarray.__dlpack__ (the Python side synchronises the stream and handles
 * the protocol's arguments).
 *
 * Only the host backend exports: its device memory is ordinary CPU memory of this process, so
 * the tensor is kDLCPU and consumers read it in place (zero copy). The capsule's tensor owns a
 * reference to the array, which keeps the buffer alive until the consumer calls the deleter.
 * The structs below are DLPack's ABI (dlpack.h 1.0), declared here to avoid a build dependency.
 */
#include "pymic2py.h"

#include <stdlib.h>
#include <string.h>

enum { DL_CPU = 1 };
enum { DL_FLAG_IS_COPIED = 2 };

typedef struct {
    int32_t device_type;
    int32_t device_id;
} dl_device;

typedef struct {
    uint8_t code;
    uint8_t bits;
    uint16_t lanes;
} dl_data_type;

typedef struct {
    void *data;
    dl_device device;
    int32_t ndim;
    dl_data_type dtype;
    int64_t *shape;
    int64_t *strides; /* in elements */
    uint64_t byte_offset;
} dl_tensor;

typedef struct dl_managed_tensor {
    dl_tensor tensor;
    void *manager_ctx;
    void (*deleter)(struct dl_managed_tensor *self);
} dl_managed_tensor;

typedef struct dl_managed_tensor_versioned {
    struct {
        uint32_t major, minor;
    } version;
    void *manager_ctx;
    void (*deleter)(struct dl_managed_tensor_versioned *self);
    uint64_t flags;
    dl_tensor tensor;
} dl_managed_tensor_versioned;

/* One allocation per export: the managed tensor (either ABI), its shape and strides. */
typedef struct {
    union {
        dl_managed_tensor legacy;
        dl_managed_tensor_versioned versioned;
    } managed;
    PyObject *owner; /* the exported array */
    int64_t shape[PYMIC2_MAX_DIMS];
    int64_t strides[PYMIC2_MAX_DIMS];
} export_block;

/* Deleters may run on any thread (the consumer frees when it likes): take the GIL. */
static void release_block(export_block *block)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_XDECREF(block->owner);
    PyGILState_Release(gil);
    free(block);
}

static void legacy_deleter(dl_managed_tensor *self)
{
    release_block((export_block *)self->manager_ctx);
}

static void versioned_deleter(dl_managed_tensor_versioned *self)
{
    release_block((export_block *)self->manager_ctx);
}

/* A capsule that no consumer renamed to "used_..." still owns its tensor. */
static void legacy_capsule_destructor(PyObject *capsule)
{
    if (PyCapsule_IsValid(capsule, "dltensor")) {
        dl_managed_tensor *managed = PyCapsule_GetPointer(capsule, "dltensor");
        managed->deleter(managed);
    }
}

static void versioned_capsule_destructor(PyObject *capsule)
{
    if (PyCapsule_IsValid(capsule, "dltensor_versioned")) {
        dl_managed_tensor_versioned *managed =
            PyCapsule_GetPointer(capsule, "dltensor_versioned");
        managed->deleter(managed);
    }
}

static int dl_type_of(pymic2_dtype dtype, dl_data_type *type)
{
    switch (dtype) {
#define DL_TYPE_CASE(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, lowest, \
                     highest, opencl, dlpack, ...)                                             \
    case PYMIC2_##NAME:                                                                        \
        *type = (dl_data_type){.code = dlpack, .bits = 8 * sizeof(ctype), .lanes = 1};         \
        return 0;
        PYMIC2_DTYPE_TABLE(DL_TYPE_CASE, ~)
#undef DL_TYPE_CASE
    default:
        PyErr_Format(PyExc_BufferError, "DLPack export: dtype %s has no DLPack type",
                     pymic2_dtype_name(dtype));
        return -1;
    }
}

PyObject *pymic2__py_dlpack_export(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *object;
    int versioned, copied;
    if (!PyArg_ParseTuple(args, "O!pp:dlpack_export", &pymic2__py_array_type, &object,
                          &versioned, &copied))
        return NULL;
    pymic2__py_array *array = (pymic2__py_array *)object;
    pymic2_device_info info;
    int status = pymic2_device_get_info(array->stream->device->device, &info);
    if (status < 0)
        return pymic2__py_raise(status);
    if (strcmp(info.backend, "host") != 0)
        return PyErr_Format(PyExc_BufferError,
                            "DLPack export: %s memory is not addressable by the CPU; copy the "
                            "array to a host device first",
                            info.name);
    dl_data_type type;
    if (dl_type_of(array->dtype, &type) < 0)
        return NULL;
    pymic2_buffer *buffer = pymic2__py_buffer_get(array->buffer, "DLPack export");
    if (buffer == NULL)
        return NULL;
    uintptr_t address;
    status = pymic2_buffer_device_address(buffer, &address);
    if (status < 0)
        return pymic2__py_raise(status);

    export_block *block = calloc(1, sizeof(*block));
    if (block == NULL)
        return PyErr_NoMemory();
    int64_t itemsize = (int64_t)pymic2_dtype_size(array->dtype);
    for (int i = 0; i < array->ndim; i++) {
        block->shape[i] = array->shape[i];
        block->strides[i] = array->strides[i] / itemsize; /* views keep whole-element strides */
    }
    dl_tensor tensor = {
        .data = (void *)(address + (uintptr_t)array->offset),
        .device = {.device_type = DL_CPU, .device_id = 0},
        .ndim = array->ndim,
        .dtype = type,
        .shape = block->shape,
        .strides = block->strides,
        .byte_offset = 0,
    };
    Py_INCREF(object);
    block->owner = object;
    PyObject *capsule;
    if (versioned) {
        dl_managed_tensor_versioned *managed = &block->managed.versioned;
        managed->version.major = 1;
        managed->version.minor = 0;
        managed->manager_ctx = block;
        managed->deleter = versioned_deleter;
        managed->flags = copied ? DL_FLAG_IS_COPIED : 0; /* always writable */
        managed->tensor = tensor;
        capsule = PyCapsule_New(managed, "dltensor_versioned", versioned_capsule_destructor);
    } else {
        dl_managed_tensor *managed = &block->managed.legacy;
        managed->manager_ctx = block;
        managed->deleter = legacy_deleter;
        managed->tensor = tensor;
        capsule = PyCapsule_New(managed, "dltensor", legacy_capsule_destructor);
    }
    if (capsule == NULL) {
        Py_DECREF(object);
        free(block);
    }
    return capsule;
}
