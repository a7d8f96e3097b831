/* OpenCL C kernels of test_opencl.py: pyMIC2's OpenCL convention (arrays as __global
 * pointers at the array's offset, ints as long, floats as double, complex as double2). */

__kernel void axpy(__global double *y, __global const double *x, double a, long n)
{
    size_t i = get_global_id(0);
    if (i < (size_t)n)
        y[i] += a * x[i];
}

/* out[0..4] = integer, real, complex real, complex imaginary, 1 if the pointer is NULL */
__kernel void capture(__global double *out, long integer, double real, double2 complex_value,
                      __global const double *maybe_null)
{
    out[0] = (double)integer;
    out[1] = real;
    out[2] = complex_value.x;
    out[3] = complex_value.y;
    out[4] = maybe_null == 0 ? 1.0 : 0.0;
}

/* out[y][x] = 1000 * y + x + 1000000 * (local size in x) */
__kernel void grid(__global int *out, long width)
{
    size_t x = get_global_id(0), y = get_global_id(1);
    out[y * width + x] = (int)(1000 * y + x + 1000000 * get_local_size(0));
}
