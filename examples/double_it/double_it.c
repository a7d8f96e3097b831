/*
 * double_it.c - the smallest useful kernel library: doubles an int64 array in place.
 *
 * pyMIC's convention: every parameter is a pointer. The array arrives as its device
 * address, the Python int `n` as a pointer to a device-side int64_t copy.
 */
#include <pymic_kernel.h>

PYMIC_KERNEL void doubleit_kernel(int64_t *values, const int64_t *n)
{
    for (int64_t i = 0; i < *n; i++)
        values[i] *= 2;
}
