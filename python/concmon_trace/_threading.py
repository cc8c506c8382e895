"""threading's locks, semaphores, conditions and events, published.

Each keeps the real object for its semantics and reports what happens
around it to a cm_mirror: holders after an acquire, a wait before a call
that may block, releases before the real release (so the next holder's
report cannot be overwritten). A blocking acquire first tries without
blocking, so an uncontended one costs one report and publishes no wait."""
import _thread
import threading

from . import _lib
from ._site import site_name

_OrigCondition = threading.Condition
_OrigSemaphore = threading.Semaphore
_OrigBounded = threading.BoundedSemaphore
_OrigEvent = threading.Event
_OrigRLock = threading.RLock
_allocate = _thread.allocate_lock


def install(lib):
    """Replaces threading's classes and names threads after themselves."""
    L = lib
    acquired, released, wait, wait_end = (L.cm_mirror_acquired, L.cm_mirror_released,
                                          L.cm_mirror_wait, L.cm_mirror_wait_end)

    def mirror(kind, permits=0):
        name = site_name()
        if name is None:
            return None
        return L.cm_mirror_new(name.encode(), kind, permits, _lib.TRACED) or None

    def free(m):
        try:
            L.cm_mirror_free(m)
        except Exception:   # interpreter shutdown
            pass

    def check_timeout(blocking, timeout, none):
        if timeout != none:
            if not blocking:
                raise ValueError("can't specify a timeout for a non-blocking call")
            if none == -1 and timeout < 0:
                raise ValueError("timeout value must be a non-negative number")

    class Lock:
        """threading.Lock, published (a factory in threading: same API)."""
        __slots__ = ("_lk", "_m", "__weakref__")

        def __init__(self, m):
            self._lk = _allocate()
            self._m = m

        def acquire(self, blocking=True, timeout=-1):
            if timeout != -1 or not blocking:
                check_timeout(blocking, timeout, -1)
            return _lib.acquire_published(L, self._lk.acquire, self._m, blocking, timeout)

        __enter__ = acquire
        acquire_lock = acquire

        def release(self):
            if not self._lk.locked():
                self._lk.release()      # raises RuntimeError, as the real one
            released(self._m, 1)
            self._lk.release()

        release_lock = release

        def __exit__(self, *exc):
            self.release()

        def locked(self):
            return self._lk.locked()

        locked_lock = locked

        def _at_fork_reinit(self):
            self._lk._at_fork_reinit()
            released(self._m, 1)

        def __repr__(self):
            return "<%s concmon_trace.Lock object at %#x>" % (
                "locked" if self._lk.locked() else "unlocked", id(self))

        def __del__(self):
            free(self._m)

    class RLock:
        """threading.RLock, published; Condition uses its _is_owned,
        _release_save and _acquire_restore."""
        __slots__ = ("_lk", "_m", "__weakref__")

        def __init__(self, m):
            self._lk = _OrigRLock()
            self._m = m

        def acquire(self, blocking=True, timeout=-1):
            if timeout != -1 or not blocking:
                check_timeout(blocking, timeout, -1)
            return _lib.acquire_published(L, self._lk.acquire, self._m, blocking, timeout)

        __enter__ = acquire

        def release(self):
            if not self._lk._is_owned():
                self._lk.release()      # raises RuntimeError
            released(self._m, 1)
            self._lk.release()

        def __exit__(self, *exc):
            self.release()

        def _is_owned(self):
            return self._lk._is_owned()

        def _release_save(self):
            if self._lk._is_owned():
                released(self._m, 0)        # every level
            return self._lk._release_save()

        def _acquire_restore(self, state):
            self._lk._acquire_restore(state)
            acquired(self._m, state[0])

        def _at_fork_reinit(self):
            self._lk._at_fork_reinit()
            released(self._m, 0)

        def __repr__(self):
            return "<concmon_trace.RLock %r at %#x>" % (self._lk, id(self))

        def __del__(self):
            free(self._m)

    def make_lock(*args, **kwargs):
        m = mirror(_lib.MUTEX)
        return Lock(m) if m else _allocate(*args, **kwargs)

    def make_rlock(*args, **kwargs):
        m = mirror(_lib.RECURSIVE)
        return RLock(m) if m else _OrigRLock(*args, **kwargs)

    class Condition(_OrigCondition):
        def __init__(self, lock=None):
            _OrigCondition.__init__(self, lock)
            self._cm_m = mirror(_lib.CONDITION)

        def wait(self, timeout=None):
            m = self._cm_m
            if m is None:
                return _OrigCondition.wait(self, timeout)
            wait(m)
            ok = False
            try:
                ok = _OrigCondition.wait(self, timeout)
            finally:
                acquired(m, 1) if ok else wait_end(m)
            return ok

        def __del__(self):
            if getattr(self, "_cm_m", None):
                free(self._cm_m)

    class _SemMixin:
        def __init__(self, value=1):
            _OrigSemaphore.__init__(self, value)    # not the subclass's: it calls
            if isinstance(self, _OrigBounded):     # threading.Semaphore, i.e. us
                self._initial_value = value
            self._cm_m = mirror(_lib.SEMAPHORE, value) if value <= 0x7fffffff else None

        def acquire(self, blocking=True, timeout=None):
            m = self._cm_m
            if m is None:
                return _OrigSemaphore.acquire(self, blocking, timeout)
            if timeout is not None and not blocking:
                raise ValueError("can't specify timeout for non-blocking acquire")
            if _OrigSemaphore.acquire(self, False):
                acquired(m, 1)
                return True
            if not blocking:
                return False
            wait(m)
            ok = False
            try:
                ok = _OrigSemaphore.acquire(self, True, timeout)
            finally:
                acquired(m, 1) if ok else wait_end(m)
            return ok

        __enter__ = acquire

        def release(self, n=1):
            super().release(n)
            if self._cm_m is not None:
                released(self._cm_m, n)

        def __del__(self):
            if getattr(self, "_cm_m", None):
                free(self._cm_m)

    class Semaphore(_SemMixin, _OrigSemaphore):
        pass

    class BoundedSemaphore(Semaphore, _OrigBounded):    # isinstance(b, Semaphore)
        pass

    class Event(_OrigEvent):
        def __init__(self):
            _OrigEvent.__init__(self)
            self._cm_m = mirror(_lib.EVENT)

        def set(self):
            _OrigEvent.set(self)
            if self._cm_m is not None:
                L.cm_mirror_value(self._cm_m, 1)

        def clear(self):
            _OrigEvent.clear(self)
            if self._cm_m is not None:
                L.cm_mirror_value(self._cm_m, 0)

        def wait(self, timeout=None):
            m = self._cm_m
            if m is None or self._flag:
                return _OrigEvent.wait(self, timeout)
            wait(m)
            ok = False
            try:
                ok = _OrigEvent.wait(self, timeout)
            finally:
                acquired(m, 1) if ok else wait_end(m)
            return ok

        def __del__(self):
            if getattr(self, "_cm_m", None):
                free(self._cm_m)

    for cls in (Condition, Semaphore, BoundedSemaphore, Event):
        cls.__module__ = "threading"
    make_lock.__name__, make_rlock.__name__ = "Lock", "RLock"
    threading.Lock, threading.RLock = make_lock, make_rlock
    threading.Condition, threading.Event = Condition, Event
    threading.Semaphore, threading.BoundedSemaphore = Semaphore, BoundedSemaphore
    _name_threads(L)


def _name_threads(L):
    """A started thread takes its Python name as its OS name (15 bytes:
    "Thread-1 (washe") and publishes the whole of it as its role."""
    orig = threading.Thread._bootstrap_inner
    role = L.cm_thread_role

    def _bootstrap_inner(self):
        try:
            role(self._name.encode()[:_lib.NAME_MAX])
        except Exception:
            pass
        orig(self)

    threading.Thread._bootstrap_inner = _bootstrap_inner
