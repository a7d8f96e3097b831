/*
 * host.c - the host backend's vtable: devices made of this process's CPUs (host_device.c),
 * process memory and parallel copies (memory.c), a worker thread per stream (worker.c),
 * dlopen'ed kernel libraries (kernel.c) and the built-in ops (host_ops.c).
 */
#include "host_internal.h"

const pymic2__backend_ops pymic2__host_backend = {
    .version = PYMIC2__BACKEND_OPS_VERSION,
    .name = "host",
    .probe = pymic2__host_probe,
    .device_init = pymic2__host_device_init,
    .device_uninit = pymic2__host_device_uninit,
    .mem_alloc = pymic2__host_mem_alloc,
    .mem_free = pymic2__host_mem_free,
    .mem_address = pymic2__host_mem_address,
    .stream_create = pymic2__host_stream_create,
    .stream_destroy = pymic2__host_stream_destroy,
    .submit = pymic2__host_submit,
    .assist = pymic2__host_assist,
    .library_load = pymic2__host_library_load,
    .library_unload = pymic2__host_library_unload,
    .kernel_find = pymic2__host_kernel_find,
    .compute = {PYMIC2__COMMANDS(PYMIC2__NO_SLOT, PYMIC2__HOST_SLOT)},
    .build_stats = NULL, /* nothing is compiled */
};
