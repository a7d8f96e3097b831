/*
 * status.c - status names and messages, the thread-local last error, the clock.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* Long enough for messages that quote a path and a dlerror() text. */
#define PYMIC2__ERROR_CAPACITY 1024

static _Thread_local char last_error[PYMIC2__ERROR_CAPACITY];

const char *pymic2_status_name(int status)
{
    switch (status) {
#define PYMIC2__STATUS_NAME(name, code, message) \
    case code:                                    \
        return "PYMIC2_" #name;
        PYMIC2_STATUS_MAP(PYMIC2__STATUS_NAME)
#undef PYMIC2__STATUS_NAME
    }
    return "PYMIC2_UNKNOWN";
}

const char *pymic2_status_message(int status)
{
    switch (status) {
#define PYMIC2__STATUS_MESSAGE(name, code, message) \
    case code:                                       \
        return message;
        PYMIC2_STATUS_MAP(PYMIC2__STATUS_MESSAGE)
#undef PYMIC2__STATUS_MESSAGE
    }
    return "unknown status";
}

const char *pymic2_last_error(void)
{
    return last_error;
}

int pymic2__error(int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(last_error, sizeof last_error, format, args);
    va_end(args);
    return status;
}

void pymic2__error_clear(void)
{
    last_error[0] = '\0';
}

double pymic2__now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec * 1e-6;
}
