/*
 * host_ops.h - built-in ops on the host backend (implemented next to src/ops' tables).
 */
#ifndef PYMIC2_HOST_OPS_H
#define PYMIC2_HOST_OPS_H

#include "../../core/internal.h"
#include "team.h"

/* Runs a validated op (see pymic2_op_launch) with the device's team; returns a status. */
int pymic2__host_run_op(pymic2__team *team, const pymic2_op_desc *desc);

/* Runs a validated reduction (desc->reduction set; reduce.c). */
int pymic2__host_run_reduce(pymic2__team *team, const pymic2_op_desc *desc);

#endif /* PYMIC2_HOST_OPS_H */
