/*
 * opencl_program.c - the program cache: every (source, options) is compiled once per
 * process (in memory) and once per machine (compiled objects on disk, linked on load).
 *
 * Disk entries live in $PYMIC2_CACHE_DIR, else $XDG_CACHE_HOME/pymic2, else
 * ~/.cache/pymic2, one file per program named <device key hash>-<source hash>.clbin. A file
 * repeats its full key (device name, platform, driver version), source and options, so a
 * hash collision or a driver update can never load the wrong binary, and carries a checksum
 * of the binary: anything that does not match is rebuilt from source and rewritten. Files
 * are written to a temporary name and renamed, so concurrent processes never read half a
 * file. A cache that cannot be written only costs build time.
 */
#include "opencl_runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cached_program {
    uint64_t hash;
    char *source;
    char *options;
    cl_program program;
    struct cached_program *next;
} cached_program;

struct pymic2__ocl_program_cache {
    pymic2_device *device;
    pthread_mutex_t lock; /* one build at a time per device: no duplicate builds */
    cached_program *programs;
    char device_key[512]; /* device name, platform and driver version */
};

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pymic2_build_stats stats;

void pymic2__ocl_build_stats(pymic2_build_stats *out)
{
    pthread_mutex_lock(&stats_lock);
    out->builds += stats.builds;
    out->disk_loads += stats.disk_loads;
    out->memory_hits += stats.memory_hits;
    out->build_ms += stats.build_ms;
    pthread_mutex_unlock(&stats_lock);
}

static void count(uint64_t *counter, double build_ms)
{
    pthread_mutex_lock(&stats_lock);
    (*counter)++;
    stats.build_ms += build_ms;
    pthread_mutex_unlock(&stats_lock);
}

/* FNV-1a, 64 bits: a file name and a corruption check, not a security boundary. */
static uint64_t hash_bytes(uint64_t hash, const void *data, size_t size)
{
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ bytes[i]) * 1099511628211ULL;
    return hash;
}

#define HASH_SEED 14695981039346656037ULL

static uint64_t hash_program(const char *source, const char *options)
{
    return hash_bytes(hash_bytes(HASH_SEED, source, strlen(source) + 1), options,
                      strlen(options) + 1);
}

int pymic2__ocl_program_cache_create(pymic2_device *device, pymic2__ocl_program_cache **cache)
{
    pymic2__ocl_program_cache *made = calloc(1, sizeof *made);
    if (made == NULL)
        return pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate the program cache",
                             device->name);
    made->device = device;
    pthread_mutex_init(&made->lock, NULL);
    *cache = made;
    return PYMIC2_OK;
}

void pymic2__ocl_program_cache_destroy(pymic2__ocl_program_cache *cache)
{
    if (cache == NULL)
        return;
    while (cache->programs != NULL) {
        cached_program *next = cache->programs->next;
        clReleaseProgram(cache->programs->program);
        free(cache->programs->source);
        free(cache->programs->options);
        free(cache->programs);
        cache->programs = next;
    }
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* ---------------------------------------------------------------- disk */

/* The cache directory, created if missing; false if there is none to use. */
static bool cache_directory(char *path, size_t size)
{
    const char *explicit = getenv("PYMIC2_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (explicit != NULL && explicit[0] != '\0')
        n = snprintf(path, size, "%s", explicit);
    else if (xdg != NULL && xdg[0] != '\0')
        n = snprintf(path, size, "%s/pymic2", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(path, size, "%s/.cache/pymic2", home);
    else
        return false;
    if (n < 0 || (size_t)n >= size)
        return false;
    /* mkdir -p */
    for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash != NULL)
            *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            if (slash != NULL)
                *slash = '/';
            return false;
        }
        if (slash == NULL)
            break;
        *slash = '/';
    }
    return true;
}

typedef struct file_header {
    char magic[8];
    uint64_t version;
    uint64_t key_size, source_size, options_size, binary_size;
    uint64_t binary_hash;
} file_header;

static const char file_magic[8] = {'P', 'Y', 'M', 'I', 'C', '2', 'C', 'L'};
#define FILE_VERSION 2 /* 2: compiled objects (1: executables) */

static bool cache_file_path(const pymic2__ocl_program_cache *cache, uint64_t hash, char *path,
                            size_t size)
{
    char directory[PATH_MAX];
    if (!cache_directory(directory, sizeof directory))
        return false;
    uint64_t device_hash = hash_bytes(HASH_SEED, cache->device_key, strlen(cache->device_key));
    int n = snprintf(path, size, "%s/%016llx-%016llx.clbin", directory,
                     (unsigned long long)device_hash, (unsigned long long)hash);
    return n > 0 && (size_t)n < size;
}

static bool read_exact(FILE *file, void *data, size_t size)
{
    return fread(data, 1, size, file) == size;
}

/* The stored binary if the file at path holds exactly this program for this device. */
static unsigned char *load_binary(const pymic2__ocl_program_cache *cache, const char *path,
                                  const char *source, const char *options, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    file_header header;
    unsigned char *binary = NULL;
    char *stored = NULL;
    size_t key_size = strlen(cache->device_key), source_size = strlen(source),
           options_size = strlen(options);
    bool ok = read_exact(file, &header, sizeof header) &&
              memcmp(header.magic, file_magic, sizeof file_magic) == 0 &&
              header.version == FILE_VERSION && header.key_size == key_size &&
              header.source_size == source_size && header.options_size == options_size &&
              header.binary_size > 0 && header.binary_size < ((uint64_t)1 << 32);
    if (ok) {
        stored = malloc(key_size + source_size + options_size + 1);
        binary = malloc(header.binary_size);
        ok = stored != NULL && binary != NULL &&
             read_exact(file, stored, key_size + source_size + options_size) &&
             memcmp(stored, cache->device_key, key_size) == 0 &&
             memcmp(stored + key_size, source, source_size) == 0 &&
             memcmp(stored + key_size + source_size, options, options_size) == 0 &&
             read_exact(file, binary, header.binary_size) &&
             hash_bytes(HASH_SEED, binary, header.binary_size) == header.binary_hash;
    }
    fclose(file);
    free(stored);
    if (!ok) {
        free(binary);
        return NULL;
    }
    *size = header.binary_size;
    return binary;
}

static void store_binary(const pymic2__ocl_program_cache *cache, const char *path,
                         const char *source, const char *options, const unsigned char *binary,
                         size_t binary_size)
{
    char temporary[PATH_MAX + 32];
    snprintf(temporary, sizeof temporary, "%s.%ld.tmp", path, (long)getpid());
    FILE *file = fopen(temporary, "wb");
    if (file == NULL)
        return;
    file_header header = {.version = FILE_VERSION,
                          .key_size = strlen(cache->device_key),
                          .source_size = strlen(source),
                          .options_size = strlen(options),
                          .binary_size = binary_size,
                          .binary_hash = hash_bytes(HASH_SEED, binary, binary_size)};
    memcpy(header.magic, file_magic, sizeof file_magic);
    bool ok = fwrite(&header, sizeof header, 1, file) == 1 &&
              fwrite(cache->device_key, 1, header.key_size, file) == header.key_size &&
              fwrite(source, 1, header.source_size, file) == header.source_size &&
              fwrite(options, 1, header.options_size, file) == header.options_size &&
              fwrite(binary, 1, binary_size, file) == binary_size;
    ok = fclose(file) == 0 && ok;
    if (!ok || rename(temporary, path) != 0)
        unlink(temporary);
}

/* ---------------------------------------------------------------- building */

/* EBUILD with the compiler's or linker's log (as much as the message holds). */
static int build_failure(pymic2_device *device, cl_program program, cl_int err,
                         const char *options)
{
    pymic2__ocl_device *ocl = device->backend_data;
    size_t size = 0;
    char log[900] = "";
    if (program != NULL &&
        clGetProgramBuildInfo(program, ocl->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) ==
            CL_SUCCESS && size > 0) {
        char *full = malloc(size + 1);
        if (full != NULL &&
            clGetProgramBuildInfo(program, ocl->id, CL_PROGRAM_BUILD_LOG, size, full, NULL) ==
                CL_SUCCESS) {
            full[size] = '\0';
            snprintf(log, sizeof log, "%s", full);
        }
        free(full);
    }
    return pymic2__error(PYMIC2_EBUILD, "%s: OpenCL C build failed (%s, options '%s'): %s",
                         device->name, pymic2__ocl_error_name(err), options,
                         log[0] ? log : "the compiler gave no log");
}

static bool is_build_error(cl_int err)
{
    return err == CL_COMPILE_PROGRAM_FAILURE || err == CL_INVALID_COMPILER_OPTIONS ||
           err == CL_LINK_PROGRAM_FAILURE || err == CL_INVALID_LINKER_OPTIONS;
}

/*
 * The executable linked from a compiled object, its time added to *build_ms. The options
 * went to the compiler; the linker takes none. On failure *linked is NULL or a program
 * holding the linker's log, to release.
 */
static cl_int link_object(cl_program object, pymic2__ocl_device *ocl, cl_program *linked,
                          double *build_ms)
{
    double start = pymic2__now_ms();
    cl_int err = CL_SUCCESS;
    *linked = clLinkProgram(ocl->context, 1, &ocl->id, NULL, 1, &object, NULL, NULL, &err);
    *build_ms += pymic2__now_ms() - start;
    return *linked != NULL && err == CL_SUCCESS ? CL_SUCCESS
                                                : err != CL_SUCCESS ? err
                                                                    : CL_LINK_PROGRAM_FAILURE;
}

/* The program from a disk object; NULL if there is none or the driver refuses it. */
static cl_program from_disk(pymic2__ocl_program_cache *cache, const char *path,
                            const char *source, const char *options)
{
    pymic2__ocl_device *ocl = cache->device->backend_data;
    size_t size;
    unsigned char *binary = load_binary(cache, path, source, options, &size);
    if (binary == NULL)
        return NULL;
    cl_int err, binary_status;
    const unsigned char *binaries[] = {binary};
    cl_program object = clCreateProgramWithBinary(ocl->context, 1, &ocl->id, &size, binaries,
                                                  &binary_status, &err);
    free(binary);
    if (object == NULL)
        return NULL;
    double build_ms = 0.0;
    cl_program linked = NULL;
    err = binary_status == CL_SUCCESS ? link_object(object, ocl, &linked, &build_ms)
                                      : binary_status;
    clReleaseProgram(object);
    if (err != CL_SUCCESS) {
        if (linked != NULL)
            clReleaseProgram(linked);
        return NULL;
    }
    count(&stats.disk_loads, build_ms);
    return linked;
}

/*
 * Compiled and linked in two steps rather than clBuildProgram: the disk keeps the compiled
 * object, which drivers hand out as is. An executable's binary costs more on PoCL: it
 * compiles a generic work-group function for every kernel of the program first (70 ms
 * each here), which no launch uses (launches compile their own, specialised ones).
 */
static int from_source(pymic2__ocl_program_cache *cache, const char *path, const char *source,
                       const char *options, cl_program *out)
{
    pymic2_device *device = cache->device;
    pymic2__ocl_device *ocl = device->backend_data;
    cl_int err;
    cl_program object = clCreateProgramWithSource(ocl->context, 1, &source, NULL, &err);
    if (object == NULL)
        return pymic2__ocl_status(err, device, "clCreateProgramWithSource");
    double start = pymic2__now_ms();
    err = clCompileProgram(object, 1, &ocl->id, options, 0, NULL, NULL, NULL, NULL);
    double build_ms = pymic2__now_ms() - start;
    cl_program linked = NULL;
    const char *step = "clCompileProgram";
    if (err == CL_SUCCESS) {
        step = "clLinkProgram";
        size_t binary_size = 0;
        if (path != NULL &&
            clGetProgramInfo(object, CL_PROGRAM_BINARY_SIZES, sizeof binary_size, &binary_size,
                             NULL) == CL_SUCCESS && binary_size > 0) {
            unsigned char *binary = malloc(binary_size);
            unsigned char *binaries[] = {binary};
            if (binary != NULL && clGetProgramInfo(object, CL_PROGRAM_BINARIES, sizeof binaries,
                                                   binaries, NULL) == CL_SUCCESS)
                store_binary(cache, path, source, options, binary, binary_size);
            free(binary);
        }
        err = link_object(object, ocl, &linked, &build_ms);
    }
    count(&stats.builds, build_ms);
    int status = PYMIC2_OK;
    if (err != CL_SUCCESS) {
        /* the log is the linker's if linking failed, else the compiler's */
        cl_program logged = linked != NULL ? linked : object;
        status = is_build_error(err) ? build_failure(device, logged, err, options)
                                     : pymic2__ocl_status(err, device, step);
        if (linked != NULL)
            clReleaseProgram(linked);
    } else {
        *out = linked;
    }
    clReleaseProgram(object);
    return status;
}

int pymic2__ocl_program_get(pymic2_device *device, const char *source, const char *options,
                            cl_program *program)
{
    if (source == NULL || program == NULL)
        return pymic2__error(PYMIC2_EINVAL, "%s: pymic2__ocl_program_get: %s is NULL",
                             device->name, source == NULL ? "source" : "program");
    if (options == NULL)
        options = "";
    pymic2__ocl_program_cache *cache = pymic2__ocl_device_of(device)->programs;
    uint64_t hash = hash_program(source, options);
    pthread_mutex_lock(&cache->lock);
    for (cached_program *entry = cache->programs; entry != NULL; entry = entry->next) {
        if (entry->hash == hash && strcmp(entry->source, source) == 0 &&
            strcmp(entry->options, options) == 0) {
            *program = entry->program;
            pthread_mutex_unlock(&cache->lock);
            count(&stats.memory_hits, 0.0);
            return PYMIC2_OK;
        }
    }
    if (cache->device_key[0] == '\0') {
        pymic2__ocl_device *ocl = pymic2__ocl_device_of(device);
        snprintf(cache->device_key, sizeof cache->device_key, "%s|%s|%s", ocl->device_name,
                 ocl->platform_name, ocl->driver_version);
    }
    cached_program *entry = calloc(1, sizeof *entry);
    char *source_copy = strdup(source), *options_copy = strdup(options);
    int status = PYMIC2_OK;
    if (entry == NULL || source_copy == NULL || options_copy == NULL) {
        status = pymic2__error(PYMIC2_ESYSTEM, "%s: cannot allocate a program cache entry",
                               device->name);
    } else {
        char path[PATH_MAX];
        bool on_disk = cache_file_path(cache, hash, path, sizeof path);
        cl_program built = on_disk ? from_disk(cache, path, source, options) : NULL;
        if (built == NULL)
            status = from_source(cache, on_disk ? path : NULL, source, options, &built);
        if (status == PYMIC2_OK) {
            entry->hash = hash;
            entry->source = source_copy;
            entry->options = options_copy;
            entry->program = built;
            entry->next = cache->programs;
            cache->programs = entry;
            *program = built;
        }
    }
    if (status != PYMIC2_OK) {
        free(entry);
        free(source_copy);
        free(options_copy);
    }
    pthread_mutex_unlock(&cache->lock);
    return status;
}
