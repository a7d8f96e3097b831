/*
 * host_device.c - host devices: shares of the CPUs this process may use, their teams and
 * their configuration.
 *
 * Environment:
 *   PYMIC2_HOST_DEVICES=N        split the allowed CPUs into N devices (default 1); with more
 *                                devices than CPUs, devices share CPUs (device i gets CPU
 *                                i mod count);
 *   PYMIC2_NUM_THREADS=T         team size of every host device (default: its CPU count);
 *   PYMIC2_AFFINITY=compact|scatter|none pins team member i >= 1 (default: none with one
 *     host device, compact when the CPUs are split into several):
 *       compact  to the device's CPUs in order (member i on CPU i mod count of the device),
 *                so that a small team shares caches;
 *       scatter  spread evenly over the device's CPUs (member i on CPU i * count / T), so
 *                that a small team gets the most memory bandwidth;
 *       none     no pinning; the kernel's scheduler places threads freely.
 *     One device defaults to none because the application's own thread takes part in the device's
 *     work too (copies to an idle stream, sync running queued commands and region pieces,
 *     see worker.c) and cannot be pinned by us: a helper pinned to CPU 1 keeps whatever
 *     the scheduler put there, often that thread, from running beside it (measured on 2
 *     CPUs: a 1 MiB copy at 0.97x memcpy with compact, 1.75x with none).
 *     Member 0 of a region is the stream's worker, one per stream: with compact or scatter
 *     it is confined to the device's CPUs, not to one of them;
 *   PYMIC2_HUGEPAGE_THRESHOLD=bytes  chunks at least this big use 2 MiB pages (default 2 MiB);
 *   PYMIC2_BLOCKTIME_US=us       how long an idle team helper or stream worker spins for its
 *                                next job before it sleeps on a futex (default 200, 0: sleep
 *                                at once, at most 100000), like KMP_BLOCKTIME: a spinning
 *                                thread starts in about a microsecond, a sleeping one 20-50 us
 *                                after its wake-up here; the cap keeps an idle process's CPU
 *                                use at zero 100 ms after its last op.
 */
#include "host_internal.h"

#include "../../core/spin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_HOST_DEVICES 256
#define MAX_THREADS 1024
#define MAX_BLOCKTIME_US 100000

/* Reads an integer variable in [min, max]; unset or empty gives fallback. */
static int env_integer(const char *name, long long min, long long max, long long fallback,
                       long long *value)
{
    const char *text = getenv(name);
    if (text == NULL || text[0] == '\0') {
        *value = fallback;
        return PYMIC2_OK;
    }
    char *end;
    errno = 0;
    long long parsed = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed < min || parsed > max)
        return pymic2__error(PYMIC2_EINVAL, "%s=%s is not an integer in [%lld, %lld]", name,
                             text, min, max);
    *value = parsed;
    return PYMIC2_OK;
}

int pymic2__host_probe(int *ndevices)
{
    long long count = 0; /* gcc -O3 cannot see that an error leaves it unused */
    int status = env_integer("PYMIC2_HOST_DEVICES", 1, MAX_HOST_DEVICES, 1, &count);
    if (status == PYMIC2_OK)
        *ndevices = (int)count;
    return status;
}

/* The CPU ids this process may run on, in increasing order. */
static int allowed_cpus(int **cpus, int *ncpus)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return pymic2__error(PYMIC2_ESYSTEM, "sched_getaffinity failed: %s", strerror(errno));
    int count = CPU_COUNT(&set);
    int *list = malloc(sizeof *list * (size_t)(count > 0 ? count : 1));
    if (list == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "cannot allocate a list of %d CPUs", count);
    int found = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && found < count; cpu++)
        if (CPU_ISSET(cpu, &set))
            list[found++] = cpu;
    *cpus = list;
    *ncpus = found;
    return PYMIC2_OK;
}

/* Device `index` of `ndevices` gets a contiguous share, or one shared CPU if they run out. */
static int device_share(int index, int ndevices, pymic2__host_device *host)
{
    int *all = NULL, nall = 0;
    int status = allowed_cpus(&all, &nall);
    if (status != PYMIC2_OK)
        return status;
    int first, count;
    if (ndevices <= nall) {
        first = (int)((long)index * nall / ndevices);
        count = (int)((long)(index + 1) * nall / ndevices) - first;
    } else {
        first = index % nall;
        count = 1;
    }
    memmove(all, all + first, sizeof *all * (size_t)count);
    host->cpus = all;
    host->ncpus = count;
    CPU_ZERO(&host->cpu_set);
    for (int i = 0; i < count; i++)
        CPU_SET(all[i], &host->cpu_set);
    return PYMIC2_OK;
}

/* CPU of each team member under the placement policy (see the top of the file). */
static int *member_cpus(const pymic2__host_device *host, int nthreads, bool scatter)
{
    int *placement = malloc(sizeof *placement * (size_t)nthreads);
    if (placement == NULL)
        return NULL;
    for (int i = 0; i < nthreads; i++) {
        int slot = scatter && nthreads < host->ncpus ? (int)((long)i * host->ncpus / nthreads)
                                                     : i % host->ncpus;
        placement[i] = host->cpus[slot];
    }
    return placement;
}

static void cpu_model(char *text, size_t capacity)
{
    snprintf(text, capacity, "CPU");
    FILE *file = fopen("/proc/cpuinfo", "r");
    if (file == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof line, file) != NULL) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *colon = strchr(line, ':');
            if (colon != NULL) {
                snprintf(text, capacity, "%s", colon + 2);
                text[strcspn(text, "\n")] = '\0';
            }
            break;
        }
    }
    fclose(file);
}

static void free_host(pymic2__host_device *host)
{
    free(host->cpus);
    free(host);
}

int pymic2__host_device_init(pymic2_device *device, int backend_index)
{
    int ndevices;
    int status = pymic2__host_probe(&ndevices);
    if (status != PYMIC2_OK)
        return status;
    pymic2__host_device *host = calloc(1, sizeof *host);
    if (host == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the device", device->name);
    status = device_share(backend_index, ndevices, host);
    if (status != PYMIC2_OK) {
        free(host);
        return status;
    }
    long long nthreads, threshold, blocktime_us;
    status = env_integer("PYMIC2_NUM_THREADS", 1, MAX_THREADS, host->ncpus, &nthreads);
    if (status == PYMIC2_OK)
        status = env_integer("PYMIC2_HUGEPAGE_THRESHOLD", 0, (long long)1 << 50,
                             (long long)2 << 20, &threshold);
    if (status == PYMIC2_OK)
        status = env_integer("PYMIC2_BLOCKTIME_US", 0, MAX_BLOCKTIME_US,
                             (long long)(PYMIC2__SPIN_NS / 1000), &blocktime_us);
    const char *affinity = getenv("PYMIC2_AFFINITY");
    if (affinity == NULL || affinity[0] == '\0')
        affinity = ndevices == 1 ? "none" : "compact";
    bool scatter = strcmp(affinity, "scatter") == 0;
    host->pin = strcmp(affinity, "none") != 0;
    if (status == PYMIC2_OK && !scatter && host->pin && strcmp(affinity, "compact") != 0)
        status = pymic2__error(PYMIC2_EINVAL,
                               "PYMIC2_AFFINITY=%s is not compact, scatter or none", affinity);
    if (status != PYMIC2_OK) {
        free_host(host);
        return status;
    }
    host->hugepage_threshold = (size_t)threshold;
    host->spin_ns = (uint64_t)blocktime_us * 1000;
    int *placement = NULL;
    if (host->pin) {
        placement = member_cpus(host, (int)nthreads, scatter);
        if (placement == NULL) {
            free_host(host);
            return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the thread placement",
                                 device->name);
        }
    }
    pymic2__team_config config = {(int)nthreads, placement, host->spin_ns};
    status = pymic2__team_create(&config, &host->team);
    free(placement);
    if (status != PYMIC2_OK) {
        char detail[512];
        snprintf(detail, sizeof detail, "%s", pymic2_last_error());
        free_host(host);
        return pymic2__error(status, "%s: %s", device->name, detail);
    }
    char model[96];
    cpu_model(model, sizeof model);
    snprintf(device->description, sizeof device->description, "%s (%d threads on CPUs %d-%d)",
             model, (int)nthreads, host->cpus[0], host->cpus[host->ncpus - 1]);
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    device->info.num_threads = (int)nthreads;
    device->info.memory_bytes = pages > 0 && page_size > 0 ? (size_t)pages * (size_t)page_size
                                                            : 0;
    device->info.supports_fp64 = 1;
    device->backend_data = host;
    return PYMIC2_OK;
}

void pymic2__host_device_uninit(pymic2_device *device)
{
    pymic2__host_device *host = pymic2__host_of(device);
    pymic2__team_destroy(host->team);
    free_host(host);
    device->backend_data = NULL;
}
