/*
 * empty_kernel.c - a kernel that does nothing, so that timing an invocation measures only
 * pyMIC2's own cost (enqueue, hand-off to the device, completion, sync). Used by both the
 * Python benchmark (python -m pymic2.bench runtime) and the C one (bench/c/bench_runtime.c).
 */
#include <pymic_kernel.h>

PYMIC_KERNEL void empty_kernel(void)
{
}
