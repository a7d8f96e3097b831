/*
 * kernel.c - user kernel libraries on the host: dlopen'ed shared objects whose kernels take
 * 0..16 pointer arguments (pyMIC's convention, see pymic_kernel.h).
 */
#include "host_internal.h"

#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

/*
 * A user kernel runs in this process (on a stream's worker, or on a thread in sync), so a
 * kernel that dereferences NULL kills the Python process. While a thread runs a kernel it
 * names it in a thread-local; a handler for the fatal signals, installed at the first
 * library load, writes which kernel crashed, then puts the previous handler back and
 * returns: the faulting instruction runs again and the signal takes its old course
 * (Python's faulthandler, or the default action).
 */
static _Thread_local const pymic2_kernel *volatile running_kernel;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NUM_FATAL ((int)(sizeof fatal_signals / sizeof fatal_signals[0]))
static struct sigaction previous_actions[NUM_FATAL];
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

/* write(2) of a NUL-terminated string: async-signal-safe. */
static void write_text(const char *text)
{
    size_t length = 0;
    while (text[length] != '\0')
        length++;
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0)
            return;
        text += written;
        length -= (size_t)written;
    }
}

static const char *signal_name(int signal_number)
{
    switch (signal_number) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    default:
        return "SIGILL";
    }
}

static void on_fatal_signal(int signal_number, siginfo_t *info, void *context)
{
    (void)context;
    const pymic2_kernel *kernel = running_kernel;
    if (kernel != NULL) {
        write_text("pyMIC2: kernel '");
        write_text(kernel->name);
        write_text("' of library '");
        write_text(kernel->library->path);
        write_text("' on ");
        write_text(kernel->library->device->name);
        write_text(" crashed with ");
        write_text(signal_name(signal_number));
        write_text("\n");
    }
    for (int i = 0; i < NUM_FATAL; i++)
        if (fatal_signals[i] == signal_number)
            sigaction(signal_number, &previous_actions[i], NULL);
    /* a fault repeats on return; a signal sent with kill() must be raised again */
    if (info->si_code <= 0)
        raise(signal_number);
}

static void install_handler(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < NUM_FATAL; i++)
        sigaction(fatal_signals[i], &action, &previous_actions[i]);
}


int pymic2__host_library_load(pymic2_library *library, const char *path)
{
    pthread_once(&handler_once, install_handler);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        return pymic2__error(PYMIC2_ENOLIB, "%s: cannot load library %s: %s",
                             library->device->name, path, reason ? reason : "unknown reason");
    }
    library->backend_data = handle;
    return PYMIC2_OK;
}

void pymic2__host_library_unload(pymic2_library *library)
{
    dlclose(library->backend_data);
    library->backend_data = NULL;
}

int pymic2__host_kernel_find(pymic2_library *library, const char *name, void **entry)
{
    dlerror(); /* clears an old message, so that a fresh one means this lookup failed */
    void *symbol = dlsym(library->backend_data, name);
    const char *reason = dlerror();
    if (symbol == NULL || reason != NULL)
        return pymic2__error(PYMIC2_ENOKERNEL, "%s: no kernel %s in library %s: %s",
                             library->device->name, name, library->path,
                             reason ? reason : "the symbol is NULL");
    *entry = symbol;
    return PYMIC2_OK;
}

/*
 * A kernel with n pointer parameters is called through a function type with exactly n
 * `void *` parameters (never a variadic one, whose calling convention differs). The lists
 * below generate the 17 cases.
 */
#define P0 void
#define P1 void *
#define P2 P1, void *
#define P3 P2, void *
#define P4 P3, void *
#define P5 P4, void *
#define P6 P5, void *
#define P7 P6, void *
#define P8 P7, void *
#define P9 P8, void *
#define P10 P9, void *
#define P11 P10, void *
#define P12 P11, void *
#define P13 P12, void *
#define P14 P13, void *
#define P15 P14, void *
#define P16 P15, void *

#define A0
#define A1 a[0]
#define A2 A1, a[1]
#define A3 A2, a[2]
#define A4 A3, a[3]
#define A5 A4, a[4]
#define A6 A5, a[5]
#define A7 A6, a[6]
#define A8 A7, a[7]
#define A9 A8, a[8]
#define A10 A9, a[9]
#define A11 A10, a[10]
#define A12 A11, a[11]
#define A13 A12, a[12]
#define A14 A13, a[13]
#define A15 A14, a[14]
#define A16 A15, a[15]

#define ARITIES(XX) \
    XX(0) XX(1) XX(2) XX(3) XX(4) XX(5) XX(6) XX(7) XX(8) XX(9) XX(10) XX(11) XX(12) XX(13) \
    XX(14) XX(15) XX(16)

void pymic2__host_invoke(const pymic2__command *command)
{
    void *a[PYMIC2_MAX_KERNEL_ARGS] = {0};
    int nargs = command->u.invoke.nargs;
    for (int i = 0; i < nargs; i++) {
        /* scalars point at the command's own copies, which live until it finished */
        const pymic2_kernel_arg *arg = &command->u.invoke.args[i];
        switch (arg->kind) {
        case PYMIC2_ARG_NULL:
            a[i] = NULL;
            break;
        case PYMIC2_ARG_BUFFER:
            a[i] = pymic2__host_address(arg->buffer, arg->offset);
            break;
        case PYMIC2_ARG_INT64:
            a[i] = (void *)&arg->value.i64;
            break;
        case PYMIC2_ARG_FLOAT64:
            a[i] = (void *)&arg->value.f64;
            break;
        case PYMIC2_ARG_COMPLEX128:
            a[i] = (void *)arg->value.c128;
            break;
        }
    }
    void *entry = command->u.invoke.kernel->entry;
    running_kernel = command->u.invoke.kernel;
    switch (nargs) {
#define CALL_WITH(n)                        \
    case n:                                 \
        ((void (*)(P##n))entry)(A##n);      \
        break;
        ARITIES(CALL_WITH)
#undef CALL_WITH
    }
    running_kernel = NULL;
}
