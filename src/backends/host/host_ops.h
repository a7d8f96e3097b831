/*
 * host_ops.h - built-in ops on the host backend (implemented next to src/ops' tables).
 */
#ifndef PYMIC2_HOST_OPS_H
#define PYMIC2_HOST_OPS_H

#include "../../core/internal.h"
#include "team.h"

/* Runs a validated op (see pymic2_op_launch) with the device's team; returns a status. */
int pymic2__host_run_op(pymic2__team *team, const pymic2_op_desc *desc);

/* Whether the op will run on one thread (its work is below the split threshold of its kind):
 * an idle stream then runs it on the submitting thread (worker.c). */
bool pymic2__host_op_runs_alone(const pymic2_op_desc *desc);

/* Runs a validated reduction (desc->reduction set; reduce.c). */
int pymic2__host_run_reduce(pymic2__team *team, const pymic2_op_desc *desc);
/* Whether a reduction will run on one thread (reduce.c). */
bool pymic2__host_reduce_runs_alone(const pymic2_op_desc *desc);

#endif /* PYMIC2_HOST_OPS_H */
