/*
 * pymic_kernel.h - marks functions of a user kernel library that pyMIC2 can invoke.
 *
 * pyMIC's convention, kept so that pyMIC kernel sources compile unchanged:
 *
 *     #include <pymic_kernel.h>
 *     PYMIC_KERNEL void scale(double *x, const int64_t *n, const double *factor) { ... }
 *
 * Every parameter is a pointer: arrays arrive as device addresses, Python ints, floats and
 * complex numbers as pointers to an int64_t, double or double complex copy on the device,
 * None as NULL. Build with: gcc -O2 -fPIC -shared -I$(python -c 'import pymic2;
 * print(pymic2.get_include())') kernels.c -o libkernels.so
 */
#ifndef PYMIC_KERNEL_H
#define PYMIC_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define PYMIC_KERNEL extern "C" __attribute__((visibility("default")))
#else
#define PYMIC_KERNEL __attribute__((visibility("default")))
#endif

#endif /* PYMIC_KERNEL_H */
