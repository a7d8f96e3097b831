/*
 * test_errors.c - statuses and messages: the status table, the thread-local last error,
 * configuration errors at initialisation (each in a child process, since initialisation
 * happens once per process), and the statuses the core returns, with their messages.
 * ENOTSUP for an op family a backend lacks is provoked with a copy of the host backend's
 * table whose slot is NULL. ESYSTEM (the OS refusing a thread or a mutex) cannot be provoked
 * through the host backend, so it is not exercised here.
 */
#include "check.h"
#include "internal.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs body in a child process with the variable set; true if every check there passed. */
static bool in_child(const char *variable, const char *value, void (*body)(void))
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        setenv(variable, value, 1);
        body();
        fflush(stderr);
        _exit(check__failed == 0 && check__passed > 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Initialisation fails with EINVAL naming the variable, and keeps failing the same way. */
static void expect_init_einval(void)
{
    int count;
    CHECK_STATUS(pymic2_init(), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("initialisation failed");
    CHECK_STATUS(pymic2_device_count(&count), PYMIC2_EINVAL);
    const char *names[] = {"PYMIC2_HOST_DEVICES", "PYMIC2_NUM_THREADS", "PYMIC2_AFFINITY",
                           "PYMIC2_HUGEPAGE_THRESHOLD", "PYMIC2_BLOCKTIME_US"};
    bool named = false;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        named = named || strstr(pymic2_last_error(), names[i]) != NULL;
    CHECK(named);
}

/* The configuration works: a parallel-sized round trip is exact. */
static void expect_working_device(void)
{
    pymic2_device *device;
    pymic2_stream *stream;
    int count = 0;
    CHECK_OK(pymic2_device_count(&count));
    CHECK_OK(pymic2_device_get(count - 1, &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    enum { N = 1 << 19 };
    static int32_t source[N], back[N];
    for (int i = 0; i < N; i++)
        source[i] = i ^ 0x5a5a;
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_buffer_alloc(device, sizeof source, 0, &buffer));
    CHECK_OK(pymic2_memcpy_h2d(stream, buffer, 0, source, sizeof source));
    CHECK_OK(pymic2_memcpy_d2h(stream, back, buffer, 0, sizeof source));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(memcmp(source, back, sizeof source) == 0);
    CHECK_OK(pymic2_buffer_release(buffer));
}

static void test_configuration(void)
{
    CHECK(in_child("PYMIC2_HOST_DEVICES", "abc", expect_init_einval));
    CHECK(in_child("PYMIC2_HOST_DEVICES", "0", expect_init_einval));
    CHECK(in_child("PYMIC2_NUM_THREADS", "0", expect_init_einval));
    CHECK(in_child("PYMIC2_NUM_THREADS", "4x", expect_init_einval));
    CHECK(in_child("PYMIC2_AFFINITY", "diagonal", expect_init_einval));
    CHECK(in_child("PYMIC2_HUGEPAGE_THRESHOLD", "-5", expect_init_einval));
    CHECK(in_child("PYMIC2_BLOCKTIME_US", "-1", expect_init_einval));
    CHECK(in_child("PYMIC2_BLOCKTIME_US", "100001", expect_init_einval));
    /* more devices or threads than CPUs, other placements, huge pages for everything */
    CHECK(in_child("PYMIC2_HOST_DEVICES", "5", expect_working_device));
    CHECK(in_child("PYMIC2_NUM_THREADS", "5", expect_working_device));
    CHECK(in_child("PYMIC2_AFFINITY", "scatter", expect_working_device));
    CHECK(in_child("PYMIC2_AFFINITY", "none", expect_working_device));
    CHECK(in_child("PYMIC2_HUGEPAGE_THRESHOLD", "0", expect_working_device));
    CHECK(in_child("PYMIC2_BLOCKTIME_US", "0", expect_working_device));
    CHECK(in_child("PYMIC2_BLOCKTIME_US", "100000", expect_working_device));
}

static void test_status_table(void)
{
#define CHECK_ROW(name, code, message)                                         \
    CHECK(strcmp(pymic2_status_name(code), "PYMIC2_" #name) == 0);             \
    CHECK(strcmp(pymic2_status_message(code), message) == 0);
    PYMIC2_STATUS_MAP(CHECK_ROW)
#undef CHECK_ROW
    CHECK(strcmp(pymic2_status_name(-99), "PYMIC2_UNKNOWN") == 0);
    CHECK(strcmp(pymic2_status_name(5), "PYMIC2_UNKNOWN") == 0);
    CHECK(strcmp(pymic2_status_message(-99), "unknown status") == 0);
}

static void *fail_in_thread(void *argument)
{
    (void)argument;
    pymic2_device *device;
    pymic2_device_find("nowhere", &device);
    return strstr(pymic2_last_error(), "nowhere") ? (void *)1 : NULL;
}

static void test_thread_local_message(void)
{
    pymic2__error_clear();
    CHECK(strcmp(pymic2_last_error(), "") == 0);
    pthread_t thread;
    void *seen = NULL;
    pthread_create(&thread, NULL, fail_in_thread, NULL);
    pthread_join(thread, &seen);
    CHECK(seen == (void *)1);
    CHECK(strcmp(pymic2_last_error(), "") == 0); /* the other thread's failure is its own */
    CHECK(pymic2__error(PYMIC2_ERANGE, "value %d", 7) == PYMIC2_ERANGE);
    CHECK(strcmp(pymic2_last_error(), "value 7") == 0);
    /* long messages are cut, not overflowed */
    char long_text[3000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    pymic2__error(PYMIC2_EINVAL, "%s", long_text);
    CHECK(strlen(pymic2_last_error()) > 500 && strlen(pymic2_last_error()) < 3000);
}

/* One call per status the core returns through the host backend, with its message. */
static void test_core_statuses(void)
{
    pymic2_device *d0, *d1;
    pymic2_stream *stream;
    pymic2_buffer *buffer, *other;
    CHECK_OK(pymic2_device_find("host:0", &d0));
    CHECK_OK(pymic2_device_find("host:1", &d1)); /* PYMIC2_HOST_DEVICES=2, set in main */
    CHECK_OK(pymic2_stream_default(d0, &stream));

    CHECK_STATUS(pymic2_buffer_alloc(d0, 64, 100, &buffer), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("host:0: alignment 100");
    CHECK_STATUS(pymic2_buffer_alloc(d0, SIZE_MAX / 8, 0, &buffer), PYMIC2_ENOMEM);
    CHECK_MESSAGE_HAS("host:0: cannot allocate");
    CHECK_STATUS(pymic2_device_find("host:2", &d1), PYMIC2_ENODEV);
    CHECK_MESSAGE_HAS("devices: host:0 (0), host:1 (1)");
    pymic2_library *library;
    CHECK_STATUS(pymic2_library_load(d0, "/no/such/lib.so", &library), PYMIC2_ENOLIB);
    CHECK_MESSAGE_HAS("/no/such/lib.so");
    CHECK_OK(pymic2_library_load(d0, check_kernels_path(), &library));
    pymic2_kernel *kernel;
    CHECK_STATUS(pymic2_kernel_find(library, "missing_kernel", &kernel), PYMIC2_ENOKERNEL);
    CHECK_MESSAGE_HAS("missing_kernel");
    CHECK_OK(pymic2_buffer_alloc(d0, 100, 0, &buffer));
    CHECK_OK(pymic2_buffer_alloc(d1, 100, 0, &other));
    char host[200];
    CHECK_STATUS(pymic2_memcpy_d2h(stream, host, buffer, 50, 51), PYMIC2_ERANGE);
    CHECK_MESSAGE_HAS("51 bytes at offset 50 pass the end of a 100-byte buffer");
    CHECK_STATUS(pymic2_memcpy_d2d(stream, buffer, 0, other, 0, 10), PYMIC2_EDEVICE);
    CHECK_MESSAGE_HAS("host:1");
    CHECK_OK(pymic2_kernel_find(library, "sleep_us", &kernel));
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_INT64, .value.i64 = 200000};
    CHECK_OK(pymic2_kernel_invoke(stream, kernel, 1, &arg, NULL));
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK_MESSAGE_HAS("host:0:");
    pymic2__command *bad = pymic2__command_new(stream, (pymic2__command_kind)77);
    CHECK_OK(pymic2__command_submit(bad));
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
    CHECK_MESSAGE_HAS("PYMIC2_EBACKEND");
    CHECK_MESSAGE_HAS("unknown command kind 77");
    CHECK_OK(pymic2_buffer_release(buffer));
    CHECK_OK(pymic2_buffer_release(other));
    CHECK_OK(pymic2_library_unload(library));
}

/* In a child forked after initialisation, enqueueing and waiting fail instead of hanging. */
static void use_after_fork(void)
{
    pymic2_device *device;
    pymic2_stream *stream;
    pymic2_buffer *buffer;
    char host[64] = {0};
    CHECK_OK(pymic2_device_find("host:0", &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK_OK(pymic2_buffer_alloc(device, sizeof host, 0, &buffer));
    CHECK_STATUS(pymic2_memcpy_h2d(stream, buffer, 0, host, sizeof host), PYMIC2_ESYSTEM);
    CHECK_MESSAGE_HAS("forked");
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_ESYSTEM);
    CHECK_OK(pymic2_buffer_release(buffer)); /* the command did not keep it */
    pymic2_pool_stats stats;
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    CHECK(stats.used_bytes == 0);
}

/* A device whose backend has no RANDOM slot refuses pymic2_random at submit with ENOTSUP
 * naming the device and the family, enqueues nothing and keeps working. */
static void test_missing_family(void)
{
    pymic2_device *device;
    pymic2_stream *stream;
    pymic2_buffer *buffer;
    CHECK_OK(pymic2_device_get(0, &device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK_OK(pymic2_buffer_alloc(device, 8 * sizeof(double), 0, &buffer));
    pymic2_random_desc desc = {
        .out = {.buffer = buffer, .dtype = PYMIC2_FLOAT64, .ndim = 1, .shape = {8},
                .strides = {sizeof(double)}},
        .distribution = PYMIC2_RANDOM_UNIFORM, .a = 0, .b = 1};
    uint64_t next, before, after;
    CHECK_OK(pymic2_stream_progress(stream, &before, NULL));

    pymic2__backend_ops without = *device->ops;
    without.compute[PYMIC2__CMD_RANDOM] = NULL;
    const pymic2__backend_ops *own = device->ops;
    device->ops = &without;
    CHECK_STATUS(pymic2_random(stream, &desc, &next), PYMIC2_ENOTSUP);
    CHECK_MESSAGE_HAS(device->name);
    CHECK_MESSAGE_HAS("random numbers is not supported");
    device->ops = own;

    CHECK_OK(pymic2_stream_progress(stream, &after, NULL));
    CHECK(after == before); /* refused before it was numbered */
    CHECK_OK(pymic2_random(stream, &desc, &next));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_buffer_release(buffer)); /* the refused command kept no reference */
}

int main(void)
{
    test_configuration(); /* first: the children must fork from an uninitialised process */
    setenv("PYMIC2_HOST_DEVICES", "2", 1);
    test_status_table();
    test_thread_local_message();
    test_core_statuses();
    test_missing_family();
    CHECK(in_child("PYMIC2_UNUSED", "", use_after_fork));
    return CHECK_DONE();
}
