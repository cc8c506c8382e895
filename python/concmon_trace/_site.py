"""Names from creation sites: "dish_queue@wd.py:12" from the line
`dish_queue = queue.Queue()`, or "wd.py:12". Objects the standard library
creates for itself (a Thread's Event, a Queue's Conditions) get no name:
they are not published, so the panel shows the program's own objects."""
import linecache
import os
import re
import sys
import sysconfig

_HERE = os.path.dirname(os.path.abspath(__file__))
_STDLIB = tuple({os.path.abspath(p) + os.sep for p in
                 (sysconfig.get_paths().get("stdlib"), sysconfig.get_paths().get("platstdlib"))
                 if p})
_ASSIGN = re.compile(r"\s*(?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*)\s*(?::[^=]*)?=[^=]")
_internal = {}      # filename -> True when the stdlib's or ours


def _is_internal(filename):
    v = _internal.get(filename)
    if v is None:
        if filename.startswith("<"):
            v = filename.startswith("<frozen")
        else:
            f = os.path.abspath(filename)
            v = f.startswith(_HERE) or (f.startswith(_STDLIB) and
                                        "-packages" + os.sep not in f)
        _internal[filename] = v
    return v


def _fit(var, base, line):
    for name in ("%s@%s:%d" % (var, base, line) if var else None, "%s:%d" % (base, line)):
        if name and len(name.encode()) <= 31:
            return name
    tail = ":%d" % line
    return base.encode()[-(31 - len(tail)):].decode(errors="ignore") + tail


def site_name():
    """The name for an object created by the nearest caller outside this
    package, or None when that caller is the standard library."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_HERE):
        f = f.f_back
    if f is None or _is_internal(f.f_code.co_filename):
        return None
    filename, line = f.f_code.co_filename, f.f_lineno
    m = _ASSIGN.match(linecache.getline(filename, line))
    return _fit(m.group(1) if m else None, os.path.basename(filename), line)
