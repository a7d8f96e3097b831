/* OpenCL C kernels of test_reliability_lifecycle.py, run only in child processes. */

/* Never returns while flag[0] is 0 (nothing sets it): a kernel stuck forever. */
__kernel void wait_for_flag(__global volatile const long *flag)
{
    while (flag[0] == 0) {
    }
}
