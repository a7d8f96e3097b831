/*
 * test_event.c - events: ordering across streams, query, sync, elapsed time, re-recording,
 * destroying an event that commands still name, bounded waits, destroyed events.
 */
#include "check.h"

static pymic2_device *device;
static pymic2_kernel *sleep_us;

static int enqueue_sleep(pymic2_stream *stream, int64_t microseconds)
{
    pymic2_kernel_arg arg = {.kind = PYMIC2_ARG_INT64, .value.i64 = microseconds};
    return pymic2_kernel_invoke(stream, sleep_us, 1, &arg, NULL);
}

/* a: a sleep, then an event record; b: (a wait for the event), then a short command.
 * Returns whether a had finished when b's command was done. The streams share no buffer
 * (that alone would order them). */
static bool b_waited_for_a(bool wait)
{
    pymic2_stream *a, *b;
    pymic2_event *event;
    CHECK_OK(pymic2_stream_create(device, &a));
    CHECK_OK(pymic2_stream_create(device, &b));
    CHECK_OK(pymic2_event_create(device, &event));
    CHECK_OK(enqueue_sleep(a, 100000));
    CHECK_OK(pymic2_event_record(event, a));
    if (wait)
        CHECK_OK(pymic2_stream_wait_event(b, event));
    CHECK_OK(enqueue_sleep(b, 1));
    CHECK_OK(pymic2_stream_sync(b));
    bool a_done = pymic2_stream_query(a) == PYMIC2_OK;
    CHECK_OK(pymic2_stream_sync(a));
    CHECK_OK(pymic2_event_destroy(event));
    CHECK_OK(pymic2_stream_destroy(a));
    CHECK_OK(pymic2_stream_destroy(b));
    return a_done;
}

static void test_wait_orders_streams(void)
{
    CHECK(b_waited_for_a(true));
    /* the control: without the wait, b overtakes the sleeping a */
    CHECK(!b_waited_for_a(false));
}

static void test_query_sync_elapsed(void)
{
    pymic2_stream *stream;
    pymic2_event *start, *end, *never;
    CHECK_OK(pymic2_stream_create(device, &stream));
    CHECK_OK(pymic2_event_create(device, &start));
    CHECK_OK(pymic2_event_create(device, &end));
    CHECK_OK(pymic2_event_create(device, &never));
    CHECK_OK(pymic2_event_query(never)); /* never recorded counts as complete */
    CHECK_OK(pymic2_event_sync(never));
    double ms = -1;
    CHECK_STATUS(pymic2_event_elapsed_ms(never, never, &ms), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("never recorded");

    CHECK_OK(pymic2_event_record(start, stream));
    CHECK_OK(pymic2_event_sync(start));
    CHECK_OK(enqueue_sleep(stream, 100000));
    CHECK_OK(pymic2_event_record(end, stream));
    CHECK_STATUS(pymic2_event_query(end), PYMIC2_ENOTREADY);
    CHECK_STATUS(pymic2_event_elapsed_ms(start, end, &ms), PYMIC2_ENOTREADY);
    CHECK_MESSAGE_HAS("end event has not completed");
    CHECK_OK(pymic2_event_sync(end));
    CHECK_OK(pymic2_event_query(end));
    CHECK_OK(pymic2_event_query(start));
    CHECK_OK(pymic2_event_elapsed_ms(start, end, &ms));
    CHECK(ms >= 99.0 && ms < 10000.0);
    CHECK_OK(pymic2_event_elapsed_ms(end, start, &ms));
    CHECK(ms <= -99.0);

    /* a wait on a never-recorded event does not block the stream */
    CHECK_OK(pymic2_stream_wait_event(stream, never));
    CHECK_OK(pymic2_stream_sync(stream));

    /* re-recording: the wait is for the record current when it was enqueued */
    pymic2_stream *other;
    CHECK_OK(pymic2_stream_create(device, &other));
    CHECK_OK(pymic2_event_record(start, stream));
    CHECK_OK(pymic2_stream_wait_event(other, start));
    CHECK_OK(enqueue_sleep(stream, 250000));
    CHECK_OK(pymic2_event_record(start, stream)); /* completes only after the sleep */
    CHECK_OK(pymic2_stream_sync(other));          /* does not wait for the sleep */
    CHECK_STATUS(pymic2_stream_query(stream), PYMIC2_ENOTREADY);
    CHECK_STATUS(pymic2_event_query(start), PYMIC2_ENOTREADY);

    /* destroying an event that pending commands name does not wait for them: they keep
     * its record until they ran */
    CHECK_OK(pymic2_event_destroy(start));
    uint64_t completed = 0;
    CHECK_OK(pymic2_stream_progress(stream, NULL, &completed));
    CHECK(completed < 6); /* commands: record, sleep, record, record, sleep, record */
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_event_destroy(end));
    CHECK_OK(pymic2_event_destroy(never));
    CHECK_OK(pymic2_stream_destroy(other));
    CHECK_OK(pymic2_stream_destroy(stream));
}

static void test_bad_arguments(void)
{
    pymic2_event *event;
    pymic2_stream *stream;
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK_STATUS(pymic2_event_create(NULL, &event), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_create(device, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_record(NULL, stream), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("event is NULL");
    CHECK_STATUS(pymic2_stream_wait_event(stream, NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_sync(NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_query(NULL), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_destroy(NULL), PYMIC2_EINVAL);
    double ms;
    CHECK_STATUS(pymic2_event_elapsed_ms(NULL, NULL, &ms), PYMIC2_EINVAL);
}

/* A destroyed event is recognised (EINVAL naming it): record and sync used to hang. */
static void test_destroyed_event_is_detected(void)
{
    pymic2_stream *stream;
    pymic2_event *event, *live;
    CHECK_OK(pymic2_stream_default(device, &stream));
    CHECK_OK(pymic2_event_create(device, &event));
    CHECK_OK(pymic2_event_create(device, &live));
    CHECK_OK(pymic2_event_record(live, stream));
    CHECK_OK(pymic2_event_record(event, stream));
    CHECK_OK(pymic2_event_destroy(event));
    CHECK_STATUS(pymic2_event_record(event, stream), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("host:0: pymic2_event_record: the event was destroyed");
    CHECK_STATUS(pymic2_event_sync(event), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("the event was destroyed");
    CHECK_STATUS(pymic2_event_wait(event, 10.0), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_query(event), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_stream_wait_event(stream, event), PYMIC2_EINVAL);
    double ms;
    CHECK_STATUS(pymic2_event_elapsed_ms(live, event, &ms), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_event_destroy(event), PYMIC2_EINVAL);
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_event_destroy(live));
}

/* Destroy does not wait for records still enqueued (they keep the event until they ran);
 * a bounded wait returns on time behind a long command. */
static void test_destroy_and_bounded_wait(void)
{
    pymic2_stream *stream;
    pymic2_event *event, *pending;
    CHECK_OK(pymic2_stream_create(device, &stream));
    CHECK_OK(pymic2_event_create(device, &event));
    CHECK_OK(pymic2_event_create(device, &pending));
    CHECK_OK(enqueue_sleep(stream, 300000));
    CHECK_OK(pymic2_event_record(event, stream));
    CHECK_OK(pymic2_event_record(pending, stream));
    double start = check_now_ms();
    CHECK_STATUS(pymic2_event_wait(event, 20.0), PYMIC2_ENOTREADY);
    double took = check_now_ms() - start;
    CHECK(took >= 19.0 && took < 150.0);
    CHECK_MESSAGE_HAS("host:0: event record 1 has not run after waiting 20 ms");
    start = check_now_ms();
    CHECK_OK(pymic2_event_destroy(pending));
    CHECK(check_now_ms() - start < 50.0);
    CHECK_OK(pymic2_event_wait(event, -1.0));
    CHECK_OK(pymic2_event_query(event));
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK_OK(pymic2_event_destroy(event));
    CHECK_OK(pymic2_stream_destroy(stream));
}

int main(void)
{
    CHECK_OK(pymic2_device_find("host:0", &device));
    pymic2_library *library;
    CHECK_OK(pymic2_library_load(device, check_kernels_path(), &library));
    CHECK_OK(pymic2_kernel_find(library, "sleep_us", &sleep_us));
    test_wait_orders_streams();
    test_query_sync_elapsed();
    test_bad_arguments();
    test_destroyed_event_is_detected();
    test_destroy_and_bounded_wait();
    CHECK_OK(pymic2_library_unload(library));
    return CHECK_DONE();
}
