/*
 * index.h - gathers, scatters (index.c) and random numbers (random.c) on a host device.
 */
#ifndef PYMIC2_HOST_INDEX_H
#define PYMIC2_HOST_INDEX_H

#include "../../core/internal.h"
#include "team.h"

/* Runs a validated PYMIC2__CMD_INDEX (see pymic2_index_launch) with the device's team. */
int pymic2__host_index(pymic2__team *team, const pymic2_index_desc *desc);

/* Runs a validated PYMIC2__CMD_RANDOM (see pymic2_random) with the device's team. */
int pymic2__host_random(pymic2__team *team, const pymic2_random_desc *desc);

#endif /* PYMIC2_HOST_INDEX_H */
