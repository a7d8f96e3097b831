/*
 * gemm.h - matrix products on the host backend (PYMIC2__CMD_GEMM, see pymic2_gemm).
 */
#ifndef PYMIC2_HOST_GEMM_H
#define PYMIC2_HOST_GEMM_H

#include "../../core/internal.h"

/* Runs a validated gemm (a, b broadcast to c's batch shape) on the device; returns a status. */
int pymic2__host_gemm(pymic2_device *device, const pymic2_gemm_desc *desc);

#endif /* PYMIC2_HOST_GEMM_H */
