/*
 * nn.h - the neural-network kernels of a host device that are not op rows (nn.c).
 */
#ifndef PYMIC2_HOST_NN_H
#define PYMIC2_HOST_NN_H

#include "../../core/internal.h"

/* Runs a validated PYMIC2__CMD_SOFTMAX_CROSS_ENTROPY (see pymic2_softmax_cross_entropy) with
 * the device's team. */
int pymic2__host_softmax_cross_entropy(pymic2_device *device,
                                       const pymic2_softmax_cross_entropy_desc *desc);

#endif /* PYMIC2_HOST_NN_H */
