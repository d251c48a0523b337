#!/usr/bin/env python3
"""Runs moto's own server for the end-to-end tests, with two things `moto_server` lacks.

* `--port 0` plus `--port-file`: the kernel picks a free port and the runner writes it to a file
  once listening, so parallel test binaries never race for a port (moto_server takes port 0
  too, but only prints the port in a log line).
* `--exit-on-stdin-eof`: a test binary keeps one moto for all its tests in a static, and statics
  are never dropped, so nobody would kill the server. Instead the test process holds our stdin;
  when it exits (however: passing, panicking, killed), the pipe closes and we exit too.
  `--remove-dir-on-exit DIR` then removes the scratch directory (port file, log) that the test
  process can no longer remove itself.

The server is moto's `ThreadedMotoServer`: the same WSGI app and request handler as
`moto_server`, in a thread. Run it with the moto venv's python.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading

from moto.server import ThreadedMotoServer


def write_port_file(path: str, port: int) -> None:
    """Write atomically, so a reader polling for the file never sees it half written."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    p.add_argument("--remove-dir-on-exit")
    args = p.parse_args()

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto_server sets this too; a few services put it into URLs they hand out.
    os.environ.setdefault("MOTO_PORT", str(port))
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"moto_runner: moto listening on http://{host}:{port}", file=sys.stderr, flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    if args.exit_on_stdin_eof:
        def watch() -> None:
            while sys.stdin.buffer.read(4096):
                pass
            done.set()
        threading.Thread(target=watch, name="stdin-watch", daemon=True).start()
    done.wait()
    if args.remove_dir_on_exit:
        shutil.rmtree(args.remove_dir_on_exit, ignore_errors=True)
    # No graceful shutdown: nothing of moto's state is worth keeping, and a request thread
    # stuck in a slow call must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
