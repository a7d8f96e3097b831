/*
 * opencl.c - the OpenCL backend's vtable: devices from every platform of the ICD loader,
 * cl_mem chunks for the core's pool, libraries built from OpenCL C sources. Streams and
 * command execution are in opencl_stream.c, the program cache in opencl_program.c, the
 * built-in ops in ocl_ops*.c.
 */
#include "ocl_ops.h"
#include "opencl_runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- errors */

#define PYMIC2__CL_ERRORS(XX)                                                               \
    XX(CL_DEVICE_NOT_FOUND) XX(CL_DEVICE_NOT_AVAILABLE) XX(CL_COMPILER_NOT_AVAILABLE)        \
    XX(CL_MEM_OBJECT_ALLOCATION_FAILURE) XX(CL_OUT_OF_RESOURCES) XX(CL_OUT_OF_HOST_MEMORY)   \
    XX(CL_PROFILING_INFO_NOT_AVAILABLE) XX(CL_MEM_COPY_OVERLAP) XX(CL_IMAGE_FORMAT_MISMATCH) \
    XX(CL_IMAGE_FORMAT_NOT_SUPPORTED) XX(CL_BUILD_PROGRAM_FAILURE) XX(CL_MAP_FAILURE)        \
    XX(CL_MISALIGNED_SUB_BUFFER_OFFSET) XX(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)     \
    XX(CL_COMPILE_PROGRAM_FAILURE) XX(CL_LINKER_NOT_AVAILABLE) XX(CL_LINK_PROGRAM_FAILURE)   \
    XX(CL_DEVICE_PARTITION_FAILED) XX(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)                      \
    XX(CL_INVALID_VALUE) XX(CL_INVALID_DEVICE_TYPE) XX(CL_INVALID_PLATFORM)                  \
    XX(CL_INVALID_DEVICE) XX(CL_INVALID_CONTEXT) XX(CL_INVALID_QUEUE_PROPERTIES)             \
    XX(CL_INVALID_COMMAND_QUEUE) XX(CL_INVALID_HOST_PTR) XX(CL_INVALID_MEM_OBJECT)           \
    XX(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) XX(CL_INVALID_IMAGE_SIZE) XX(CL_INVALID_SAMPLER)  \
    XX(CL_INVALID_BINARY) XX(CL_INVALID_BUILD_OPTIONS) XX(CL_INVALID_PROGRAM)                \
    XX(CL_INVALID_PROGRAM_EXECUTABLE) XX(CL_INVALID_KERNEL_NAME)                             \
    XX(CL_INVALID_KERNEL_DEFINITION) XX(CL_INVALID_KERNEL) XX(CL_INVALID_ARG_INDEX)          \
    XX(CL_INVALID_ARG_VALUE) XX(CL_INVALID_ARG_SIZE) XX(CL_INVALID_KERNEL_ARGS)              \
    XX(CL_INVALID_WORK_DIMENSION) XX(CL_INVALID_WORK_GROUP_SIZE)                             \
    XX(CL_INVALID_WORK_ITEM_SIZE) XX(CL_INVALID_GLOBAL_OFFSET) XX(CL_INVALID_EVENT_WAIT_LIST) \
    XX(CL_INVALID_EVENT) XX(CL_INVALID_OPERATION) XX(CL_INVALID_BUFFER_SIZE)                 \
    XX(CL_INVALID_GLOBAL_WORK_SIZE) XX(CL_INVALID_PROPERTY) XX(CL_INVALID_COMPILER_OPTIONS)  \
    XX(CL_INVALID_LINKER_OPTIONS) XX(CL_INVALID_DEVICE_PARTITION_COUNT)

const char *pymic2__ocl_error_name(cl_int err)
{
    switch (err) {
#define PYMIC2__CL_ERROR_CASE(name) case name: return #name;
        PYMIC2__CL_ERRORS(PYMIC2__CL_ERROR_CASE)
#undef PYMIC2__CL_ERROR_CASE
    case -1001:
        return "CL_PLATFORM_NOT_FOUND_KHR";
    default:
        return "CL_UNKNOWN_ERROR";
    }
}

int pymic2__ocl_status(cl_int err, pymic2_device *device, const char *what)
{
    int status;
    switch (err) {
    case CL_MEM_OBJECT_ALLOCATION_FAILURE:
    case CL_OUT_OF_RESOURCES:
    case CL_OUT_OF_HOST_MEMORY:
    case CL_INVALID_BUFFER_SIZE:
        status = PYMIC2_ENOMEM;
        break;
    case CL_BUILD_PROGRAM_FAILURE:
    case CL_COMPILE_PROGRAM_FAILURE:
    case CL_LINK_PROGRAM_FAILURE:
    case CL_INVALID_BUILD_OPTIONS:
    case CL_INVALID_COMPILER_OPTIONS:
        status = PYMIC2_EBUILD;
        break;
    case CL_INVALID_KERNEL_NAME:
        status = PYMIC2_ENOKERNEL;
        break;
    case CL_INVALID_VALUE:
    case CL_INVALID_ARG_INDEX:
    case CL_INVALID_ARG_VALUE:
    case CL_INVALID_ARG_SIZE:
    case CL_INVALID_KERNEL_ARGS:
    case CL_INVALID_WORK_DIMENSION:
    case CL_INVALID_WORK_GROUP_SIZE:
    case CL_INVALID_WORK_ITEM_SIZE:
    case CL_INVALID_GLOBAL_WORK_SIZE:
    case CL_MISALIGNED_SUB_BUFFER_OFFSET:
        status = PYMIC2_EINVAL;
        break;
    default:
        status = PYMIC2_EBACKEND;
        break;
    }
    return pymic2__error(status, "%s: %s failed: %s (%d)", device->name, what,
                         pymic2__ocl_error_name(err), (int)err);
}

/* ---------------------------------------------------------------- devices */

typedef struct found_device {
    cl_platform_id platform;
    cl_device_id id;
} found_device;

/* Filled once by probe (the registry calls it once, before any device_init). */
static found_device *found;
static int num_found;

/* PYMIC2_OPENCL=0 hides every OpenCL device (a host-only run without the ICD's start-up). */
static bool backend_disabled(void)
{
    const char *value = getenv("PYMIC2_OPENCL");
    return value != NULL && strcmp(value, "0") == 0;
}

static int ocl_probe(int *ndevices)
{
    *ndevices = 0;
    if (backend_disabled())
        return PYMIC2_OK;
    cl_uint nplatforms = 0;
    /* No ICD, no platform or a broken driver: the backend has no devices, nothing fails. */
    if (clGetPlatformIDs(0, NULL, &nplatforms) != CL_SUCCESS || nplatforms == 0)
        return PYMIC2_OK;
    cl_platform_id *platforms = calloc(nplatforms, sizeof *platforms);
    if (platforms == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "opencl: cannot list %u platforms", nplatforms);
    if (clGetPlatformIDs(nplatforms, platforms, NULL) != CL_SUCCESS)
        nplatforms = 0;
    for (cl_uint p = 0; p < nplatforms; p++) {
        cl_uint count = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &count) != CL_SUCCESS ||
            count == 0)
            continue;
        cl_device_id *ids = calloc(count, sizeof *ids);
        found_device *grown = realloc(found, sizeof *found * (size_t)(num_found + (int)count));
        if (ids == NULL || grown == NULL) {
            free(ids);
            free(platforms);
            if (grown != NULL)
                found = grown;
            return pymic2__error(PYMIC2_ESYSTEM, "opencl: cannot list %u devices", count);
        }
        found = grown;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, count, ids, NULL) == CL_SUCCESS)
            for (cl_uint d = 0; d < count; d++)
                found[num_found++] = (found_device){platforms[p], ids[d]};
        free(ids);
    }
    free(platforms);
    *ndevices = num_found;
    return PYMIC2_OK;
}

/* A string property, truncated to the field (device names can be long). */
static void device_string(cl_device_id id, cl_device_info what, char *text, size_t size)
{
    char full[1024];
    size_t used = 0;
    if (clGetDeviceInfo(id, what, sizeof full, full, &used) != CL_SUCCESS || used == 0)
        snprintf(full, sizeof full, "unknown");
    full[sizeof full - 1] = '\0';
    size_t length = strnlen(full, size - 1);
    memcpy(text, full, length);
    text[length] = '\0';
}

static bool has_extension(cl_device_id id, const char *extension)
{
    size_t size = 0;
    if (clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, 0, NULL, &size) != CL_SUCCESS || size == 0)
        return false;
    char *extensions = malloc(size + 1);
    if (extensions == NULL)
        return false;
    bool present = false;
    if (clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, size, extensions, NULL) == CL_SUCCESS) {
        extensions[size] = '\0';
        size_t length = strlen(extension);
        for (const char *at = strstr(extensions, extension); at != NULL && !present;
             at = strstr(at + 1, extension))
            present = (at == extensions || at[-1] == ' ') &&
                      (at[length] == '\0' || at[length] == ' ');
    }
    free(extensions);
    return present;
}

static int ocl_device_init(pymic2_device *device, int backend_index)
{
    if (backend_index < 0 || backend_index >= num_found)
        return pymic2__error(PYMIC2_ENODEV, "%s: the probe found %d OpenCL devices",
                             device->name, num_found);
    pymic2__ocl_device *ocl = calloc(1, sizeof *ocl);
    if (ocl == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the device record",
                             device->name);
    ocl->platform = found[backend_index].platform;
    ocl->id = found[backend_index].id;
    cl_device_id id = ocl->id;
    device_string(id, CL_DEVICE_NAME, ocl->device_name, sizeof ocl->device_name);
    device_string(id, CL_DRIVER_VERSION, ocl->driver_version, sizeof ocl->driver_version);
    char platform_name[64] = "unknown";
    clGetPlatformInfo(ocl->platform, CL_PLATFORM_NAME, sizeof platform_name, platform_name,
                      NULL);
    platform_name[sizeof platform_name - 1] = '\0';
    snprintf(ocl->platform_name, sizeof ocl->platform_name, "%s", platform_name);
    clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof ocl->max_work_group_size,
                    &ocl->max_work_group_size, NULL);
    clGetDeviceInfo(id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof ocl->compute_units,
                    &ocl->compute_units, NULL);
    clGetDeviceInfo(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ocl->max_mem_alloc_size,
                    &ocl->max_mem_alloc_size, NULL);
    clGetDeviceInfo(id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof ocl->global_mem_size,
                    &ocl->global_mem_size, NULL);
    clGetDeviceInfo(id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof ocl->local_mem_size,
                    &ocl->local_mem_size, NULL);
    cl_uint align_bits = 8;
    clGetDeviceInfo(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    ocl->mem_base_addr_align = align_bits / 8 ? align_bits / 8 : 1;
    /* OpenCL 1.2 made double optional through this query; cl_khr_fp64 is the older way */
    cl_device_fp_config fp64 = 0;
    clGetDeviceInfo(id, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp64, &fp64, NULL);
    ocl->has_fp64 = fp64 != 0 || has_extension(id, "cl_khr_fp64");
    cl_device_type type = 0;
    clGetDeviceInfo(id, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    ocl->runs_items_in_turn = (type & CL_DEVICE_TYPE_CPU) != 0;

    cl_int err;
    cl_context_properties properties[] = {CL_CONTEXT_PLATFORM,
                                          (cl_context_properties)ocl->platform, 0};
    ocl->context = clCreateContext(properties, 1, &id, NULL, NULL, &err);
    if (ocl->context == NULL) {
        free(ocl);
        return pymic2__ocl_status(err, device, "clCreateContext");
    }
    int status = pymic2__ocl_program_cache_create(device, &ocl->programs);
    if (status != PYMIC2_OK) {
        clReleaseContext(ocl->context);
        free(ocl);
        return status;
    }
    device->backend_data = ocl;
    snprintf(device->description, sizeof device->description, "%.60s (%.30s, driver %.20s)",
             ocl->device_name, ocl->platform_name, ocl->driver_version);
    device->info.num_threads = (int)ocl->compute_units;
    device->info.memory_bytes = (size_t)ocl->global_mem_size;
    device->info.supports_fp64 = ocl->has_fp64;
    return PYMIC2_OK;
}

static void ocl_device_uninit(pymic2_device *device)
{
    pymic2__ocl_device *ocl = pymic2__ocl_device_of(device);
    if (ocl == NULL)
        return;
    pymic2__ocl_compute_uninit(device);
    pymic2__ocl_program_cache_destroy(ocl->programs);
    clReleaseContext(ocl->context);
    free(ocl);
    device->backend_data = NULL;
}

/* ---------------------------------------------------------------- memory */

static int ocl_mem_alloc(pymic2_device *device, size_t nbytes, void **handle)
{
    pymic2__ocl_device *ocl = pymic2__ocl_device_of(device);
    if (nbytes > ocl->max_mem_alloc_size)
        return pymic2__error(PYMIC2_ENOMEM,
                             "%s: cannot allocate %zu bytes: the device's largest allocation "
                             "(CL_DEVICE_MAX_MEM_ALLOC_SIZE) is %llu bytes",
                             device->name, nbytes,
                             (unsigned long long)ocl->max_mem_alloc_size);
    cl_int err;
    cl_mem mem = clCreateBuffer(ocl->context, CL_MEM_READ_WRITE, nbytes, NULL, &err);
    if (mem == NULL) {
        char what[96];
        snprintf(what, sizeof what, "clCreateBuffer of %zu bytes", nbytes);
        return pymic2__ocl_status(err, device, what);
    }
    *handle = mem;
    return PYMIC2_OK;
}

static void ocl_mem_free(pymic2_device *device, void *handle, size_t nbytes)
{
    (void)device;
    (void)nbytes;
    clReleaseMemObject((cl_mem)handle);
}

/* ---------------------------------------------------------------- libraries */

typedef struct ocl_library {
    cl_program program; /* owned by the device's program cache */
} ocl_library;

static int read_source(pymic2_device *device, const char *path, char **source)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return pymic2__error(PYMIC2_ENOLIB, "%s: cannot open OpenCL source %s: %s",
                             device->name, path, strerror(errno));
    char *text = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (capacity - used < 4096) {
            char *grown = realloc(text, capacity + 65536);
            if (grown == NULL) {
                free(text);
                fclose(file);
                return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot read %s: out of memory",
                                     device->name, path);
            }
            text = grown;
            capacity += 65536;
        }
        size_t n = fread(text + used, 1, capacity - used - 1, file);
        used += n;
        if (n == 0)
            break;
    }
    bool failed = ferror(file);
    fclose(file);
    if (failed) {
        free(text);
        return pymic2__error(PYMIC2_ENOLIB, "%s: cannot read OpenCL source %s", device->name,
                             path);
    }
    text[used] = '\0';
    if (strlen(text) != used) {
        free(text);
        return pymic2__error(PYMIC2_ENOLIB,
                             "%s: %s is not an OpenCL C source (it contains NUL bytes); "
                             "OpenCL devices load .cl source files, not shared objects",
                             device->name, path);
    }
    *source = text;
    return PYMIC2_OK;
}

static int ocl_library_load(pymic2_library *library, const char *path)
{
    pymic2_device *device = library->device;
    ocl_library *loaded = calloc(1, sizeof *loaded);
    if (loaded == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the library record of %s",
                             device->name, path);
    char *source = NULL;
    int status = read_source(device, path, &source);
    if (status == PYMIC2_OK) {
        status = pymic2__ocl_program_get(device, source, NULL, &loaded->program);
        free(source);
    }
    if (status != PYMIC2_OK) {
        free(loaded);
        if (status == PYMIC2_EBUILD) { /* name the file: the log alone does not */
            char log[1024];
            snprintf(log, sizeof log, "%s", pymic2_last_error());
            return pymic2__error(PYMIC2_EBUILD, "library %s: %s", path, log);
        }
        return status;
    }
    library->backend_data = loaded;
    return PYMIC2_OK;
}

static void ocl_library_unload(pymic2_library *library)
{
    /* the core frees the kernel records after this; their cl_kernels are ours */
    for (pymic2_kernel *kernel = library->kernels; kernel != NULL; kernel = kernel->next)
        pymic2__ocl_kernel_release(kernel->entry);
    free(library->backend_data);
    library->backend_data = NULL;
}

static int ocl_kernel_find(pymic2_library *library, const char *name, void **entry)
{
    ocl_library *loaded = library->backend_data;
    return pymic2__ocl_kernel_create(library->device, loaded->program, name, library->path,
                                     entry);
}

const pymic2__backend_ops pymic2__opencl_backend = {
    .version = PYMIC2__BACKEND_OPS_VERSION,
    .name = "opencl",
    .probe = ocl_probe,
    .device_init = ocl_device_init,
    .device_uninit = ocl_device_uninit,
    .mem_alloc = ocl_mem_alloc,
    .mem_free = ocl_mem_free,
    .mem_address = NULL, /* a cl_mem has no address the host or a user could use */
    .stream_create = pymic2__ocl_stream_create,
    .stream_destroy = pymic2__ocl_stream_destroy,
    .submit = pymic2__ocl_submit,
    .assist = NULL,
    .library_load = ocl_library_load,
    .library_unload = ocl_library_unload,
    .kernel_find = ocl_kernel_find,
    .compute = {PYMIC2__COMMANDS(PYMIC2__NO_SLOT, PYMIC2__OPENCL_SLOT)},
    .build_stats = pymic2__ocl_build_stats,
};
