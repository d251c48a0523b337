"""Runs poni 0.8 (installed from poni-0.8.tar.gz beside this file) on Python 3.11.

poni 0.8 calls inspect.getargspec, which Python 3.11 no longer has; the same information comes
from inspect.getfullargspec. Nothing else is changed: this is poni's own entry point
(`poni = poni.tool:Tool.run_exit` in its setup.py)."""
import inspect

if not hasattr(inspect, "getargspec"):
    inspect.getargspec = inspect.getfullargspec

from poni.tool import Tool  # noqa: E402

Tool.run_exit()
