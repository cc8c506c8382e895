"""The probe's C API through ctypes: the library named by CONCMON_TRACE_LIB
(the preloaded tracer, or libconcmon-probe), or None when it is absent or
has no telemetry segment to publish into.

Loaded as a PyDLL: the publishing calls never block and take a few atomic
stores, so they keep the GIL (a CDLL call would drop and retake it, and
retaking it can wait a whole switch interval behind a busy thread)."""
import ctypes
import os

MUTEX, RECURSIVE, SEMAPHORE, CONDITION, EVENT = 1, 2, 3, 4, 5   # enum cm_mirror_kind
SHARED, TRACED = 1, 2                                              # enum cm_flags
NAME_MAX = 31    # CM_NAME_MAX bytes, NUL included


def _debug(msg):
    if os.environ.get("CONCMON_TRACE_DEBUG"):
        import sys
        print("concmon_trace: " + msg, file=sys.stderr)


_PROTOS = {
    "cm_init": (ctypes.c_bool, []),
    "cm_thread_role": (None, [ctypes.c_char_p]),
    "cm_mirror_new": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_int]),
    "cm_mirror_wait": (None, [ctypes.c_void_p]),
    "cm_mirror_wait_end": (None, [ctypes.c_void_p]),
    "cm_mirror_acquired": (None, [ctypes.c_void_p, ctypes.c_uint]),
    "cm_mirror_released": (None, [ctypes.c_void_p, ctypes.c_uint]),
    "cm_mirror_value": (None, [ctypes.c_void_p, ctypes.c_uint]),
    "cm_mirror_free": (None, [ctypes.c_void_p]),
    "cm_qmirror_new": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]),
    "cm_qmirror_put": (None, [ctypes.c_void_p]),
    "cm_qmirror_get": (None, [ctypes.c_void_p]),
    "cm_qmirror_wait": (None, [ctypes.c_void_p, ctypes.c_bool]),
    "cm_qmirror_wait_end": (None, [ctypes.c_void_p, ctypes.c_bool]),
    "cm_qmirror_free": (None, [ctypes.c_void_p]),
}


def load():
    """The library with prototypes set, or None (then nothing is published)."""
    path = os.environ.get("CONCMON_TRACE_LIB")
    if not path:
        return None
    try:
        lib = ctypes.PyDLL(path)
        for name, (res, args) in _PROTOS.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
    except (OSError, AttributeError) as e:
        _debug("cannot use %s: %s" % (path, e))
        return None
    if not lib.cm_init():
        _debug("no telemetry segment (not launched by concmon?)")
        return None
    try:
        auto = lib.cmtrace_auto
        auto.argtypes = [ctypes.c_int]
        auto(0)     # the tracer: CPython's own sem_t locks stay out
    except AttributeError:
        pass
    return lib


def acquire_published(L, acquire, m, blocking, timeout):
    """acquire(blocking, timeout) of a real lock, reported to mirror m: it
    tries without blocking first, so an uncontended acquire publishes no
    wait; a wait that times out is withdrawn."""
    if acquire(False):
        L.cm_mirror_acquired(m, 1)
        return True
    if not blocking:
        return False
    L.cm_mirror_wait(m)
    ok = False
    try:
        ok = acquire(True, timeout)
    finally:
        L.cm_mirror_acquired(m, 1) if ok else L.cm_mirror_wait_end(m)
    return ok
