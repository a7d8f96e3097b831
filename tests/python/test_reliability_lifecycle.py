"""Life-cycle robustness: streams dropped with a pending error, forked children, Ctrl-C in
blocking waits, interpreter exit with a kernel that never ends, crashing user kernels.

Every case runs in a child interpreter: a crash or a hang there is a failed assertion here,
and an endless kernel never keeps a stream of the test process busy. The children run on
the suite's device (PYMIC2_TEST_DEVICE): host:0 with the shared-object kernels of
tests/python/kernels, opencl:0 with tests/python/kernels_cl/lifecycle.cl.
"""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import DEVICE_NAME, ON_HOST

CL_KERNELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels_cl",
                          "lifecycle.cl")

# What every child starts with: the device under test, its kernel library, and endless(),
# which enqueues a kernel that never returns on a stream.
PREAMBLE = """
import os, signal, sys, threading, time
import numpy as np
import pymic2 as xp

device = xp.get_device({device!r})
LIBRARY = {library!r}

def endless(stream):
    flag = stream.bind(np.zeros(1, dtype=np.int64))
    kernel = device.load_library(LIBRARY).wait_for_flag
    if device.backend == "host":
        stream.invoke(kernel, flag)
    else:
        stream.invoke(kernel, flag, global_size=1)
    return flag

def interrupt_after(seconds):
    '''Sends SIGINT to the main thread after `seconds` from a helper thread; returns a list
    that receives the time it was sent.'''
    sent, main = [], threading.get_ident()
    def send():
        time.sleep(seconds)
        sent.append(time.monotonic())
        signal.pthread_kill(main, signal.SIGINT)
    threading.Thread(target=send, daemon=True).start()
    return sent
"""


@pytest.fixture
def library_path(device, kernel_path):
    return kernel_path if device.backend == "host" else CL_KERNELS


def run_child(code, library_path, timeout=60, extra_args=()):
    """Runs PREAMBLE + code in a fresh interpreter; returns the CompletedProcess. A child that
    hangs fails the test (TimeoutExpired)."""
    source = PREAMBLE.format(device=DEVICE_NAME, library=library_path) + textwrap.dedent(code)
    return subprocess.run([sys.executable, *extra_args, "-c", source], capture_output=True,
                          text=True, timeout=timeout)


def assert_interrupted_promptly(result):
    """The child exited normally after printing "interrupted after S s ..." with S < 1."""
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("interrupted after"), (result.stdout, result.stderr)
    assert float(result.stdout.split()[2]) < 1.0, result.stdout


# ------------------------------------------------------------ item 1: a pending error at drop


@pytest.mark.parametrize("when", ["del", "exit"])
def test_dropping_a_stream_with_a_pending_error_reports_it_once(library_path, when):
    code = """
    st = device.create_stream()
    x = xp.asarray(np.arange(10.), device=device, stream=st)
    bad = x[xp.asarray(np.array([50]), device=device, stream=st)]  # fails on the device
    """
    if when == "del":
        code += """
    del bad, x
    del st
    print("still running")
    """
    result = run_child(code, library_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Exception ignored") == 1, result.stderr
    assert "out of bounds" in result.stderr and DEVICE_NAME in result.stderr, result.stderr
    if when == "del":
        assert "still running" in result.stdout


# ------------------------------------------------------------ item 2: fork


def test_forked_child_exits_cleanly(library_path):
    result = run_child("""
    stream = device.create_stream()
    event = xp.Event(device).record(stream)
    library = device.load_library(LIBRARY)
    array = xp.asarray(np.arange(5.), device=device, stream=stream)
    stream.sync()
    pid = os.fork()
    if pid == 0:
        sys.exit(0)  # finalisation drops the inherited stream, event, library and array
    _, status = os.waitpid(pid, 0)
    print("child status", os.waitstatus_to_exitcode(status))
    """, library_path)
    assert result.returncode == 0, result.stderr
    assert "child status 0" in result.stdout, (result.stdout, result.stderr)
    assert "Exception ignored" not in result.stderr, result.stderr


def test_forked_child_refuses_new_handles_and_drops_inherited_ones(library_path):
    result = run_child("""
    stream = device.create_stream()
    event = xp.Event(device).record(stream)
    library = device.load_library(LIBRARY)
    stream.sync()
    pid = os.fork()
    if pid == 0:
        refused = []
        for name, attempt in (
                ("create_stream", device.create_stream),
                ("Event", lambda: xp.Event(device)),
                ("load_library", lambda: device.load_library(LIBRARY)),
                ("sync", stream.sync),
                ("asarray", lambda: xp.asarray(np.arange(3.), device=device))):
            try:
                attempt()
            except xp.OffloadError as error:
                if "forked" in str(error) and device.name in str(error):
                    refused.append(name)
                else:
                    print(name, "raised", error)
        print("refused:", " ".join(refused), flush=True)
        del stream, event, library  # inherited: dropped quietly
        print("dropped", flush=True)
        sys.exit(0)
    _, status = os.waitpid(pid, 0)
    print("child status", os.waitstatus_to_exitcode(status))
    """, library_path)
    assert result.returncode == 0, result.stderr
    assert "refused: create_stream Event load_library sync asarray" in result.stdout, (
        result.stdout, result.stderr)
    assert "dropped" in result.stdout and "child status 0" in result.stdout, result.stdout
    assert "Exception ignored" not in result.stderr, result.stderr


# ------------------------------------------------------------ item 5: Ctrl-C and exit


WAITS = {
    "stream.sync": "stream.sync()",
    "event.synchronize": "xp.Event(device).record(stream).synchronize()",
    "ndarray.get": "xp.asarray(np.arange(3.), device=device, stream=stream).get()",
}


@pytest.mark.parametrize("wait", sorted(WAITS))
def test_ctrl_c_interrupts_a_wait_for_an_endless_kernel(library_path, wait):
    result = run_child(f"""
    stream = device.create_stream()
    flag = endless(stream)
    time.sleep(0.2)  # the kernel is running
    sent = interrupt_after(0.3)
    try:
        {WAITS[wait]}
    except KeyboardInterrupt as error:
        print(f"interrupted after {{time.monotonic() - sent[0]:.3f}} s")
        print("notes:", getattr(error, "__notes__", None))
    print("busy:", not stream.query())
    """, library_path)
    # the script then ends with the kernel still running: exit must not wait for it
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and lines[0].startswith("interrupted after"), (result.stdout, result.stderr)
    assert float(lines[0].split()[2]) < 1.0, lines[0]
    assert "still busy" in lines[1] and DEVICE_NAME in lines[1], lines
    assert "busy: True" in lines[2], lines
    assert "still running" in result.stderr and DEVICE_NAME in result.stderr, result.stderr


def test_ctrl_c_interrupts_a_wait_for_room_in_a_full_stream(library_path):
    """Ops enqueue with the GIL held; behind an endless kernel the queue fills and the next op
    waits for room: Ctrl-C ends that wait too, and the op enqueued nothing."""
    result = run_child("""
    stream = device.create_stream()
    flag = endless(stream)
    x = xp.zeros(16, device=device, stream=stream)
    sent = interrupt_after(0.3)
    ops = 0
    try:
        for _ in range(100):  # the queue holds a few commands: one of these waits
            x += 1.0
            ops += 1
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - sent[0]:.3f} s, {ops} ops enqueued")
    """, library_path)
    assert_interrupted_promptly(result)
    assert int(result.stdout.split()[4]) < 100, result.stdout


def test_ctrl_c_interrupts_a_buffer_sync(library_path):
    result = run_child("""
    stream = device.create_stream()
    flag = endless(stream)
    sent = interrupt_after(0.3)
    try:
        flag.buffer.sync()  # the kernel uses it: waits for that stream
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - sent[0]:.3f} s")
    """, library_path)
    assert_interrupted_promptly(result)


def test_ctrl_c_while_dropping_a_busy_stream(library_path):
    result = run_child("""
    stream = device.create_stream()
    flag = endless(stream)
    sent = interrupt_after(0.3)
    try:
        del stream  # waits for the kernel, until Ctrl-C: then the stream is left running
        time.sleep(5)
        print("not interrupted")
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - sent[0]:.3f} s")
    """, library_path)
    assert_interrupted_promptly(result)
    assert "still running" in result.stderr and DEVICE_NAME in result.stderr, result.stderr


def test_exit_with_an_endless_kernel_does_not_hang(library_path):
    result = run_child("""
    flag = endless(device.create_stream())
    other = endless(device.get_default_stream())
    time.sleep(0.2)
    print("leaving")
    """, library_path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "leaving\n"
    assert "still running" in result.stderr and DEVICE_NAME in result.stderr, result.stderr


# ------------------------------------------------------------ item 8: crashing kernels


@pytest.mark.parametrize("faulthandler", [False, True])
def test_a_crashing_host_kernel_names_itself(library_path, faulthandler):
    if not ON_HOST:
        pytest.skip("host devices only: OpenCL kernels run inside the driver")
    result = run_child("""
    stream = device.create_stream()
    library = device.load_library(LIBRARY)
    stream.invoke(library.crash_null, None)
    stream.sync()
    print("survived")
    """, library_path, extra_args=("-X", "faulthandler") if faulthandler else ())
    assert result.returncode == -signal.SIGSEGV, (result.returncode, result.stderr)
    expected = (f"pyMIC2: kernel 'crash_null' of library '{library_path}' on {DEVICE_NAME} "
                f"crashed with SIGSEGV")
    assert expected in result.stderr, result.stderr
    if faulthandler:  # the previous handler still runs
        assert "Fatal Python error: Segmentation fault" in result.stderr, result.stderr
