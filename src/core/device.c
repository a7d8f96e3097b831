/*
 * device.c - the device registry: backends, their devices, selectors, the default device.
 *
 * Devices are made once (pymic2_init) and live until the process ends: tearing down worker
 * threads from an atexit handler can hang when the program exits from a signal or while a
 * stream is busy, and the operating system frees everything anyway.
 */
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pymic2__backend_ops *const backends[] = {
    &pymic2__host_backend,
#ifdef PYMIC2_HAVE_OPENCL
    &pymic2__opencl_backend,
#endif
};
#define NUM_BACKENDS ((int)(sizeof backends / sizeof backends[0]))

static pymic2_device **devices;
static int num_devices;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static atomic_bool forked;
static int init_status;
static char init_message[512];

/* Makes the devices of one backend; a backend without devices is skipped. */
static int init_backend(const pymic2__backend_ops *ops)
{
    if (ops->version != PYMIC2__BACKEND_OPS_VERSION)
        return pymic2__error(PYMIC2_EBACKEND, "backend %s has vtable version %d, expected %d",
                             ops->name, ops->version, PYMIC2__BACKEND_OPS_VERSION);
    int count = 0;
    int status = ops->probe(&count);
    if (status != PYMIC2_OK)
        return status;
    if (count <= 0)
        return PYMIC2_OK;
    pymic2_device **grown = realloc(devices, sizeof *devices * (size_t)(num_devices + count));
    if (grown == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "cannot allocate the registry of %d %s devices",
                             count, ops->name);
    devices = grown;
    for (int i = 0; i < count; i++) {
        pymic2_device *device = calloc(1, sizeof *device);
        if (device == NULL)
            return pymic2__error(PYMIC2_ESYSTEM, "cannot allocate device %s:%d", ops->name, i);
        device->ops = ops;
        snprintf(device->name, sizeof device->name, "%s:%d", ops->name, i);
        device->info.name = device->name;
        device->info.backend = ops->name;
        device->info.description = device->description;
        device->info.index = num_devices;
        device->info.backend_index = i;
        status = ops->device_init(device, i);
        if (status != PYMIC2_OK) {
            free(device);
            return status;
        }
        /* device_init may not overwrite what the registry owns */
        device->info.name = device->name;
        device->info.backend = ops->name;
        device->info.description = device->description;
        device->info.index = num_devices;
        device->info.backend_index = i;
        status = pymic2__pool_create(device, &device->pool);
        if (status == PYMIC2_OK) {
            status = pymic2__stream_new(device, true, &device->default_stream);
            if (status != PYMIC2_OK)
                pymic2__pool_destroy(device->pool);
        }
        if (status != PYMIC2_OK) {
            ops->device_uninit(device);
            free(device);
            return status;
        }
        devices[num_devices++] = device;
    }
    return PYMIC2_OK;
}

static void mark_forked(void)
{
    atomic_store(&forked, true);
}

bool pymic2__in_forked_child(void)
{
    return atomic_load(&forked);
}

bool pymic2__forked_child(const char *what)
{
    if (!pymic2__in_forked_child())
        return false;
    pymic2__error(PYMIC2_ESYSTEM,
                  "%s: this process was forked after pyMIC2 started; its device threads stayed "
                  "in the parent, so use pyMIC2 only in the parent or in spawned processes",
                  what);
    return true;
}

static void init_devices(void)
{
    pthread_atfork(NULL, NULL, mark_forked);
    for (int b = 0; b < NUM_BACKENDS; b++) {
        init_status = init_backend(backends[b]);
        if (init_status != PYMIC2_OK) {
            snprintf(init_message, sizeof init_message, "initialisation failed: %s",
                     pymic2_last_error());
            return;
        }
    }
    if (num_devices == 0) {
        init_status = PYMIC2_ENODEV;
        snprintf(init_message, sizeof init_message, "initialisation found no devices");
    }
}

int pymic2_init(void)
{
    pthread_once(&init_once, init_devices);
    if (init_status != PYMIC2_OK)
        return pymic2__error(init_status, "%s", init_message);
    return PYMIC2_OK;
}

int pymic2_device_count(int *count)
{
    if (count == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_device_count: count is NULL");
    int status = pymic2_init();
    if (status != PYMIC2_OK)
        return status;
    *count = num_devices;
    return PYMIC2_OK;
}

/* "host:0, host:1" into text, for messages that list what exists. */
static void list_devices(char *text, size_t capacity)
{
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < num_devices && used < capacity; i++) {
        int n = snprintf(text + used, capacity - used, "%s%s (%d)", i ? ", " : "",
                         devices[i]->name, i);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

int pymic2_device_get(int index, pymic2_device **device)
{
    if (device == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_device_get: device is NULL");
    int status = pymic2_init();
    if (status != PYMIC2_OK)
        return status;
    if (index < 0 || index >= num_devices) {
        char known[256];
        list_devices(known, sizeof known);
        return pymic2__error(PYMIC2_ENODEV, "no device with index %d; devices: %s", index,
                             known);
    }
    *device = devices[index];
    return PYMIC2_OK;
}

/* Parses a non-negative decimal integer that fills the whole string. */
static bool parse_index(const char *text, int *value)
{
    if (!isdigit((unsigned char)text[0]))
        return false;
    char *end;
    errno = 0;
    long parsed = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || parsed > 1000000)
        return false;
    *value = (int)parsed;
    return true;
}

static pymic2_device *find_by_selector(const char *selector)
{
    int index;
    if (parse_index(selector, &index))
        return index < num_devices ? devices[index] : NULL;
    const char *colon = strchr(selector, ':');
    size_t backend_length = colon ? (size_t)(colon - selector) : strlen(selector);
    int backend_index = 0;
    if (colon != NULL && !parse_index(colon + 1, &backend_index))
        return NULL;
    for (int i = 0; i < num_devices; i++) {
        const char *backend = devices[i]->ops->name;
        if (strlen(backend) == backend_length &&
            strncmp(backend, selector, backend_length) == 0 &&
            devices[i]->info.backend_index == backend_index)
            return devices[i];
    }
    return NULL;
}

int pymic2_device_find(const char *selector, pymic2_device **device)
{
    if (selector == NULL || device == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_device_find: %s is NULL",
                             selector == NULL ? "selector" : "device");
    int status = pymic2_init();
    if (status != PYMIC2_OK)
        return status;
    pymic2_device *found = find_by_selector(selector);
    if (found == NULL) {
        char known[256];
        list_devices(known, sizeof known);
        return pymic2__error(PYMIC2_ENODEV, "no device matches \"%s\"; devices: %s", selector,
                             known);
    }
    *device = found;
    return PYMIC2_OK;
}

int pymic2_device_default(pymic2_device **device)
{
    if (device == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_device_default: device is NULL");
    int status = pymic2_init();
    if (status != PYMIC2_OK)
        return status;
    const char *selector = getenv("PYMIC2_DEVICE");
    if (selector == NULL || selector[0] == '\0') {
        *device = devices[0];
        return PYMIC2_OK;
    }
    status = pymic2_device_find(selector, device);
    if (status != PYMIC2_OK) {
        char detail[512];
        snprintf(detail, sizeof detail, "%s", pymic2_last_error());
        return pymic2__error(status, "PYMIC2_DEVICE: %s", detail);
    }
    return PYMIC2_OK;
}

int pymic2_device_get_info(const pymic2_device *device, pymic2_device_info *info)
{
    if (device == NULL || info == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_device_get_info: %s is NULL",
                             device == NULL ? "device" : "info");
    *info = device->info;
    return PYMIC2_OK;
}

int pymic2_build_stats_get(pymic2_build_stats *stats)
{
    if (stats == NULL)
        return pymic2__error(PYMIC2_EINVAL, "pymic2_build_stats_get: stats is NULL");
    *stats = (pymic2_build_stats){0};
    for (int b = 0; b < NUM_BACKENDS; b++)
        if (backends[b]->build_stats != NULL)
            backends[b]->build_stats(stats);
    return PYMIC2_OK;
}
