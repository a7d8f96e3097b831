/*
 * test_stream.c - streams: order, concurrency, query and progress, asynchronous errors,
 * destroying a stream with pending work, bounded waits, destroyed streams, ordering across
 * streams through shared buffers.
 */
#include "check.h"
#include "internal.h"

#include <pthread.h>

static pymic2_device *device;
static pymic2_kernel *append_log, *sleep_us, *scale;

static pymic2_kernel_arg buffer_arg(pymic2_buffer *buffer, size_t offset)
{
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_BUFFER, .buffer = buffer, .offset = offset};
    return arg;
}

static pymic2_kernel_arg int_arg(int64_t value)
{
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_INT64, .value.i64 = value};
    return arg;
}

static pymic2_kernel_arg float_arg(double value)
{
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_FLOAT64, .value.f64 = value};
    return arg;
}

static int enqueue_append(pymic2_stream *stream, pymic2_buffer *log, int64_t value)
{
    pymic2_kernel_arg args[2] = {buffer_arg(log, 0), int_arg(value)};
    return pymic2_kernel_invoke(stream, append_log, 2, args, NULL);
}

static int enqueue_sleep(pymic2_stream *stream, int64_t microseconds)
{
    pymic2_kernel_arg arg = int_arg(microseconds);
    return pymic2_kernel_invoke(stream, sleep_us, 1, &arg, NULL);
}

/* A zeroed log buffer with room for n entries. */
static pymic2_buffer *new_log(pymic2_stream *stream, int n)
{
    pymic2_buffer *log = NULL;
    size_t nbytes = sizeof(int64_t) * (size_t)(n + 1);
    int64_t *zeros = calloc((size_t)n + 1, sizeof *zeros);
    CHECK_OK(pymic2_buffer_alloc(device, nbytes, 0, &log));
    CHECK_OK(pymic2_memcpy_h2d(stream, log, 0, zeros, nbytes));
    CHECK_OK(pymic2_stream_sync(stream));
    free(zeros);
    return log;
}

/* Copies the log back; true if it holds exactly first, first + step, ... (n entries). */
static bool log_is_sequence(pymic2_stream *stream, pymic2_buffer *log, int n, int64_t first,
                            int64_t step)
{
    int64_t *host = calloc((size_t)n + 1, sizeof *host);
    CHECK_OK(pymic2_memcpy_d2h(stream, host, log, 0, sizeof(int64_t) * (size_t)(n + 1)));
    CHECK_OK(pymic2_stream_sync(stream));
    bool ok = host[0] == n;
    for (int i = 0; ok && i < n; i++)
        ok = host[1 + i] == first + step * i;
    free(host);
    return ok;
}

static void test_order_on_default_stream(void)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK(pymic2_stream_device(stream) == device);
    const int n = 2000;
    pymic2_buffer *log = new_log(stream, n);
    for (int i = 0; i < n; i++)
        CHECK_STATUS(enqueue_append(stream, log, i), PYMIC2_OK);
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(log_is_sequence(stream, log, n, 0, 1));
    CHECK_OK(pymic2_buffer_release(log));

    /* copies and kernels interleaved: every step sees the one before */
    double values[4] = {1, 2, 3, 4}, result[4];
    pymic2_buffer *x;
    CHECK_OK(pymic2_buffer_alloc(device, sizeof values, 0, &x));
    CHECK_OK(pymic2_memcpy_h2d(stream, x, 0, values, sizeof values));
    pymic2_kernel_arg args[3] = {buffer_arg(x, 0), int_arg(4), float_arg(3.0)};
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, args, NULL));
    CHECK_OK(pymic2_memcpy_d2h(stream, result, x, 0, sizeof result));
    double second[4] = {10, 20, 30, 40};
    CHECK_OK(pymic2_memcpy_h2d(stream, x, 0, second, sizeof second));
    args[1] = int_arg(2); /* only the first two */
    CHECK_OK(pymic2_kernel_invoke(stream, scale, 3, args, NULL));
    double final[4];
    CHECK_OK(pymic2_memcpy_d2h(stream, final, x, 0, sizeof final));
    /* the buffer may be released at once: the commands hold it */
    CHECK_OK(pymic2_buffer_release(x));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(result[0] == 3 && result[1] == 6 && result[2] == 9 && result[3] == 12);
    CHECK(final[0] == 30 && final[1] == 60 && final[2] == 30 && final[3] == 40);
}

static void test_concurrent_streams(void)
{
    enum { NSTREAMS = 4, N = 300 };
    pymic2_stream *streams[NSTREAMS];
    pymic2_buffer *logs[NSTREAMS];
    for (int s = 0; s < NSTREAMS; s++) {
        CHECK_OK(pymic2_stream_create(device, &streams[s]));
        logs[s] = new_log(streams[s], N);
    }
    /* the first stream sleeps: the others must not wait for it. Its own appends come after
     * the check, since its bounded queue makes the submitting thread wait for the sleep. */
    CHECK_OK(enqueue_sleep(streams[0], 300000));
    for (int i = 0; i < N; i++)
        for (int s = 1; s < NSTREAMS; s++)
            CHECK_STATUS(enqueue_append(streams[s], logs[s], 1000 * s + i), PYMIC2_OK);
    for (int s = 1; s < NSTREAMS; s++)
        CHECK_OK(pymic2_stream_sync(streams[s]));
    CHECK_STATUS(pymic2_stream_query(streams[0]), PYMIC2_ENOTREADY);
    CHECK_MESSAGE_HAS("commands finished");
    for (int i = 0; i < N; i++)
        CHECK_OK(enqueue_append(streams[0], logs[0], i));
    for (int s = 0; s < NSTREAMS; s++) {
        CHECK_OK(pymic2_stream_sync(streams[s]));
        CHECK_OK(pymic2_stream_query(streams[s]));
        CHECK(log_is_sequence(streams[s], logs[s], N, 1000 * s, 1));
        CHECK_OK(pymic2_buffer_release(logs[s]));
        CHECK_OK(pymic2_stream_destroy(streams[s]));
    }
}

typedef struct submitter {
    pymic2_stream *stream;
    pymic2_buffer *log;
    int64_t base;
    int failures;
} submitter;

static void *submit_many(void *argument)
{
    submitter *job = argument;
    for (int i = 0; i < 500; i++)
        job->failures += enqueue_append(job->stream, job->log, job->base + i) != PYMIC2_OK;
    return NULL;
}

/* Two threads feed one stream: each thread's commands keep their order. */
static void test_two_submitting_threads(void)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_create(device, &stream));
    pymic2_buffer *log = new_log(stream, 1000);
    submitter jobs[2] = {{stream, log, 0, 0}, {stream, log, 100000, 0}};
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        pthread_create(&threads[t], NULL, submit_many, &jobs[t]);
    for (int t = 0; t < 2; t++)
        pthread_join(threads[t], NULL);
    CHECK(jobs[0].failures == 0 && jobs[1].failures == 0);
    CHECK_OK(pymic2_stream_sync(stream));
    int64_t host[1001];
    CHECK_OK(pymic2_memcpy_d2h(stream, host, log, 0, sizeof host));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(host[0] == 1000);
    int64_t next[2] = {0, 100000};
    bool ordered = true;
    for (int i = 1; i <= 1000; i++) {
        int t = host[i] >= 100000;
        ordered = ordered && host[i] == next[t];
        next[t]++;
    }
    CHECK(ordered);
    uint64_t enqueued = 0, completed = 0;
    CHECK_OK(pymic2_stream_progress(stream, &enqueued, &completed));
    CHECK(enqueued == 1000 + 2 && completed == enqueued); /* + the zeroing copy and d2h */
    CHECK_OK(pymic2_buffer_release(log));
    CHECK_OK(pymic2_stream_destroy(stream));
}

static void test_progress_and_query(void)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_create(device, &stream));
    uint64_t enqueued = 99, completed = 99;
    CHECK_OK(pymic2_stream_progress(stream, &enqueued, &completed));
    CHECK(enqueued == 0 && completed == 0);
    CHECK_OK(pymic2_stream_query(stream));
    CHECK_OK(enqueue_sleep(stream, 250000)); /* long enough to be seen pending */
    CHECK_OK(enqueue_sleep(stream, 0));
    CHECK_OK(pymic2_stream_progress(stream, &enqueued, NULL));
    CHECK_OK(pymic2_stream_progress(stream, NULL, &completed));
    CHECK(enqueued == 2 && completed == 0);
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_stream_progress(stream, &enqueued, &completed));
    CHECK(enqueued == 2 && completed == 2);
    CHECK_OK(pymic2_stream_destroy(stream));
}

/* A command that fails while running: the next sync reports it, the one after is clean. */
static void test_async_error(void)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_create(device, &stream));
    pymic2_buffer *log = new_log(stream, 2);
    pymic2__command *bad = pymic2__command_new(stream, (pymic2__command_kind)99);
    CHECK(bad != NULL);
    pymic2__command_use_buffer(bad, log); /* released although the command failed */
    CHECK_OK(pymic2__command_submit(bad));
    CHECK_OK(enqueue_append(stream, log, 7)); /* later commands still run */
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
    CHECK_MESSAGE_HAS("host:0: command 2 failed with PYMIC2_EBACKEND");
    CHECK_MESSAGE_HAS("unknown command kind 99");
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(log_is_sequence(stream, log, 1, 7, 0));
    CHECK_OK(pymic2_buffer_release(log));
    pymic2_pool_stats stats;
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    CHECK(stats.used_bytes == 0);
    CHECK_OK(pymic2_stream_destroy(stream));
}

/* Destroy waits for what is pending; the buffers the commands held come back. */
static void test_destroy_with_pending_work(void)
{
    pymic2_pool_stats stats;
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    size_t used_before = stats.used_bytes;
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_create(device, &stream));
    pymic2_buffer *log = new_log(stream, 3);
    CHECK_OK(enqueue_sleep(stream, 250000));
    for (int i = 0; i < 3; i++)
        CHECK_OK(enqueue_append(stream, log, 5 + i));
    int64_t host[4] = {0};
    CHECK_OK(pymic2_memcpy_d2h(stream, host, log, 0, sizeof host));
    CHECK_OK(pymic2_buffer_release(log));
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK_OK(pymic2_stream_destroy(stream));
    CHECK(host[0] == 3 && host[1] == 5 && host[2] == 6 && host[3] == 7);
    CHECK_OK(pymic2_pool_get_stats(device, &stats));
    CHECK(stats.used_bytes == used_before);

    pymic2_stream *default_stream;
    CHECK_OK(pymic2_stream_default(device, &default_stream));
    CHECK_STATUS(pymic2_stream_destroy(default_stream), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("default stream cannot be destroyed");
}

/* Many streams created and destroyed: threads and queues do not pile up or hang. */
/* A producer far ahead of the device waits instead of queueing without bound. */
static void test_queue_is_bounded(void)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_create(device, &stream));
    const int n = 4 * PYMIC2__MAX_PENDING_COMMANDS;
    pymic2_buffer *log = new_log(stream, n);
    CHECK_OK(enqueue_sleep(stream, 20000)); /* the first command keeps the queue backed up */
    uint64_t worst_backlog = 0;
    for (int i = 0; i < n; i++) {
        CHECK_OK(enqueue_append(stream, log, i));
        uint64_t enqueued, completed;
        CHECK_OK(pymic2_stream_progress(stream, &enqueued, &completed));
        if (enqueued - completed > worst_backlog)
            worst_backlog = enqueued - completed;
    }
    CHECK(worst_backlog <= PYMIC2__MAX_PENDING_COMMANDS);
    CHECK(worst_backlog >= PYMIC2__MAX_PENDING_COMMANDS / 2); /* it really was backed up */
    CHECK(log_is_sequence(stream, log, n, 0, 1));
    CHECK_OK(pymic2_buffer_release(log));
    CHECK_OK(pymic2_stream_destroy(stream));
}

static void test_stream_churn(void)
{
    for (int i = 0; i < 50; i++) {
        pymic2_stream *stream;
        CHECK_STATUS(pymic2_stream_create(device, &stream), PYMIC2_OK);
        if (i % 2 == 0)
            CHECK_STATUS(enqueue_sleep(stream, 100), PYMIC2_OK);
        CHECK_STATUS(pymic2_stream_destroy(stream), PYMIC2_OK);
    }
}

/* A destroyed stream is recognised (EINVAL naming it) instead of used: sync used to crash. */
static void test_destroyed_stream_is_detected(void)
{
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_create(device, &stream));
    CHECK_OK(enqueue_sleep(stream, 1000));
    CHECK_OK(pymic2_stream_destroy(stream));
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("host:0: pymic2_stream_sync: the stream was destroyed");
    CHECK_STATUS(pymic2_stream_wait(stream, 10.0), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_stream_progress(stream, NULL, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_stream_busy_time(stream, NULL, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(enqueue_sleep(stream, 1), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("the stream was destroyed");
    CHECK_STATUS(pymic2_stream_destroy(stream), PYMIC2_EINVAL);
    CHECK(pymic2_stream_device(stream) == NULL);
}

/* Waits for `stream` at most 20 ms behind a command that takes far longer: ENOTREADY in
 * about 20 ms, then an unbounded wait finishes. */
static void check_bounded_wait(pymic2_stream *stream)
{
    double start = check_now_ms();
    CHECK_STATUS(pymic2_stream_wait(stream, 20.0), PYMIC2_ENOTREADY);
    double took = check_now_ms() - start;
    CHECK_MESSAGE_HAS("commands finished after waiting 20 ms");
    CHECK(took >= 19.0 && took < 150.0);
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK_OK(pymic2_stream_wait(stream, -1.0));
}

/* A bounded wait returns on time: it never runs a user kernel or an event wait on the
 * calling thread (a plain sync may, and would then last as long as they do). */
static void test_bounded_wait(void)
{
    pymic2_stream *stream, *other;
    pymic2_event *event;
    CHECK_OK(pymic2_stream_create(device, &stream));
    CHECK_OK(pymic2_stream_create(device, &other));
    CHECK_OK(pymic2_event_create(device, &event));
    CHECK_OK(enqueue_sleep(stream, 300000));
    check_bounded_wait(stream);
    CHECK_OK(enqueue_sleep(other, 300000));
    CHECK_OK(pymic2_event_record(event, other));
    CHECK_OK(pymic2_stream_wait_event(stream, event));
    CHECK_OK(enqueue_sleep(stream, 1));
    check_bounded_wait(stream);
    /* a failure seen by a wait that timed out stays for the wait that finds the stream idle */
    CHECK_OK(enqueue_sleep(stream, 100000));
    CHECK_OK(pymic2__command_submit(pymic2__command_new(stream, (pymic2__command_kind)99)));
    CHECK_OK(enqueue_sleep(stream, 300000));
    CHECK_STATUS(pymic2_stream_wait(stream, 150.0), PYMIC2_ENOTREADY);
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
    CHECK_MESSAGE_HAS("unknown command kind 99");
    CHECK_OK(pymic2_event_destroy(event));
    CHECK_OK(pymic2_stream_destroy(other));
    CHECK_OK(pymic2_stream_destroy(stream));
}

/* Buffers order streams: appends to one log from two streams, each behind a sleep on its
 * own stream, land in submission order (the second stream waits for the first). */
static void test_buffers_order_streams(void)
{
    pymic2_stream *first, *second;
    CHECK_OK(pymic2_stream_create(device, &first));
    CHECK_OK(pymic2_stream_create(device, &second));
    pymic2_buffer *log = new_log(first, 4);
    CHECK_OK(enqueue_sleep(first, 100000));
    CHECK_OK(enqueue_append(first, log, 1));
    CHECK_OK(enqueue_append(second, log, 2)); /* would run first without the ordering */
    CHECK_OK(enqueue_sleep(first, 50000));
    CHECK_OK(enqueue_append(first, log, 3)); /* after second's append: it used log last */
    CHECK_OK(enqueue_append(second, log, 4));
    CHECK(log_is_sequence(second, log, 4, 1, 1));
    CHECK_OK(pymic2_stream_destroy(first));
    CHECK_OK(pymic2_stream_destroy(second));
    CHECK_OK(pymic2_buffer_release(log));
}

/* A buffer last used by a destroyed stream: that stream's record stays readable, and
 * pymic2_buffer_sync waits for the user on another stream. */
static void test_last_user_destroyed_and_buffer_sync(void)
{
    pymic2_stream *gone, *busy;
    CHECK_OK(pymic2_stream_create(device, &gone));
    pymic2_buffer *log = new_log(gone, 2);
    CHECK_OK(enqueue_append(gone, log, 7));
    CHECK_OK(pymic2_stream_destroy(gone));
    CHECK_OK(pymic2_stream_create(device, &busy));
    CHECK_OK(enqueue_sleep(busy, 100000));
    CHECK_OK(enqueue_append(busy, log, 8));
    CHECK_STATUS(pymic2_stream_query(busy), PYMIC2_ENOTREADY);
    CHECK_OK(pymic2_buffer_sync(log));
    CHECK_OK(pymic2_stream_query(busy));
    CHECK(log_is_sequence(busy, log, 2, 7, 1));
    CHECK_OK(pymic2_stream_destroy(busy));
    CHECK_OK(pymic2_buffer_release(log));
    CHECK_STATUS(pymic2_buffer_sync(NULL), PYMIC2_EINVAL);
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    pymic2_library *library;
    CHECK_OK(pymic2_library_load(device, check_kernels_path(), &library));
    CHECK_OK(pymic2_kernel_find(library, "append_log", &append_log));
    CHECK_OK(pymic2_kernel_find(library, "sleep_us", &sleep_us));
    CHECK_OK(pymic2_kernel_find(library, "scale", &scale));
    test_order_on_default_stream();
    test_concurrent_streams();
    test_two_submitting_threads();
    test_progress_and_query();
    test_async_error();
    test_destroy_with_pending_work();
    test_stream_churn();
    test_queue_is_bounded();
    test_destroyed_stream_is_detected();
    test_bounded_wait();
    test_buffers_order_streams();
    test_last_user_destroyed_and_buffer_sync();
    CHECK_OK(pymic2_library_unload(library));
    return CHECK_DONE();
}
