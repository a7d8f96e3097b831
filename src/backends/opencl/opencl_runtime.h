/*
 * opencl_runtime.h - functions the runtime half of the OpenCL backend shares between its
 * files (opencl.c, opencl_stream.c, opencl_program.c). The compute half uses
 * opencl_internal.h only.
 */
#ifndef PYMIC2_OPENCL_RUNTIME_H
#define PYMIC2_OPENCL_RUNTIME_H

#include "opencl_internal.h"

/* opencl_program.c: the per-device program cache (memory and disk). */
int pymic2__ocl_program_cache_create(pymic2_device *device, pymic2__ocl_program_cache **cache);
void pymic2__ocl_program_cache_destroy(pymic2__ocl_program_cache *cache);

/* opencl_stream.c: streams, command submission and completion, user kernels. */
int pymic2__ocl_stream_create(pymic2_stream *stream);
void pymic2__ocl_stream_destroy(pymic2_stream *stream);
int pymic2__ocl_submit(pymic2_stream *stream, pymic2__command *command);
/* A user kernel (kernel->entry of an OpenCL library); path names the library in messages. */
int pymic2__ocl_kernel_create(pymic2_device *device, cl_program program, const char *name,
                              const char *path, void **entry);
void pymic2__ocl_kernel_release(void *entry);

#endif /* PYMIC2_OPENCL_RUNTIME_H */
