"""concmon's Python layer, loaded by `concmon --trace` through PYTHONPATH.

Ours shadows the user's own sitecustomize (Debian ships one), so the next
one on sys.path is run first, then concmon_trace installs itself. Nothing
here may break the program: failures are silent unless CONCMON_TRACE_DEBUG.
"""
import os
import sys


def _chain():
    here = os.path.dirname(os.path.abspath(__file__))
    for d in sys.path:
        d = os.path.abspath(d or os.getcwd())
        path = os.path.join(d, "sitecustomize.py")
        if d == here or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            code = compile(f.read(), path, "exec")
        exec(code, {"__name__": "sitecustomize", "__file__": path, "__builtins__": __builtins__})
        return


for _step in (_chain, lambda: __import__("concmon_trace")):
    try:
        _step()
    except Exception as _e:  # the program must run unchanged
        if os.environ.get("CONCMON_TRACE_DEBUG"):
            print("concmon_trace: %s: %s" % (type(_e).__name__, _e), file=sys.stderr)
del _step
