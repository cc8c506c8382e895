"""multiprocessing's Lock, published across processes: its mirror lives in
shared memory (CM_SHARED) made before the fork, so every forked process
reports through the one record; the wrapper travels with the fork start
method (the default on Linux). Under spawn a pickled Lock arrives without
its mirror and is simply not published there. Child processes also take
their Process name (Process-1) as their OS name.

Patched after multiprocessing is first imported (a post-import hook):
importing it eagerly would cost every traced program its import time."""
import importlib.abc
import sys

from . import _lib
from ._site import site_name


def install(lib):
    if "multiprocessing" in sys.modules:
        _patch(lib)
    else:
        sys.meta_path.insert(0, _Hook(lib))


class _Hook(importlib.abc.MetaPathFinder):
    """Runs _patch once multiprocessing's own import has finished."""

    def __init__(self, lib):
        self.lib = lib

    def find_spec(self, fullname, path, target=None):
        if fullname != "multiprocessing":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        orig_exec, lib = spec.loader.exec_module, self.lib

        def exec_module(module):
            orig_exec(module)
            _patch(lib)

        spec.loader.exec_module = exec_module
        return spec


def _patch(L):
    import multiprocessing
    import multiprocessing.context as C
    import multiprocessing.process as P
    import multiprocessing.synchronize as S
    released = L.cm_mirror_released

    class Lock(S.Lock):
        _cm_m = None

        def __init__(self, *, ctx, cm_name=None):
            if cm_name:
                self._cm_m = L.cm_mirror_new(cm_name.encode(), _lib.MUTEX, 0,
                                             _lib.SHARED | _lib.TRACED) or None
            S.Lock.__init__(self, ctx=ctx)

        def _make_methods(self):
            S.Lock._make_methods(self)
            m, sl = self._cm_m, self._semlock
            if m is None:
                return

            def acquire(block=True, timeout=None):
                return _lib.acquire_published(L, sl.acquire, m, block, timeout)

            def release():
                released(m, 1)
                sl.release()

            self.acquire, self.release = acquire, release

        def __enter__(self):
            return self.acquire()

        def __exit__(self, *exc):
            return self.release()

    def ctx_lock(self):
        return Lock(ctx=self.get_context(), cm_name=site_name())

    C.BaseContext.Lock = ctx_lock
    multiprocessing.Lock = C._default_context.Lock

    orig_bootstrap = P.BaseProcess._bootstrap

    def _bootstrap(self, *args, **kwargs):
        try:
            L.cm_thread_role(self.name.encode()[:_lib.NAME_MAX])
        except Exception:
            pass
        return orig_bootstrap(self, *args, **kwargs)

    P.BaseProcess._bootstrap = _bootstrap
