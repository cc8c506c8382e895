"""concmon's Python layer: threading, queue and multiprocessing objects
publish their holders, waiters and depths into concmon's telemetry segment
through the probe's mirror API, named after where the program creates them.
Installed by python/sitecustomize.py when concmon traces a program; does
nothing when the library or the segment is missing."""
from . import _lib

lib = _lib.load()
if lib is not None:
    from . import _threading, _queue, _mp
    _threading.install(lib)
    _queue.install(lib)
    _mp.install(lib)
