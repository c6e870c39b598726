#!/usr/bin/env python3
"""Run moto's AWS emulator on loopback for StreamVault's tests and quick start.

Prints the endpoint URL (for example ``http://127.0.0.1:49152``) as the first line
on stdout, then serves until it is killed (SIGTERM/SIGINT) or its stdin closes
when started with ``--exit-on-stdin-close``.

Usage:
    tools/moto_server.py [--host 127.0.0.1] [--port 0] [--exit-on-stdin-close]

Port 0 (the default) asks the kernel for a free port.
"""

import argparse
import signal
import sys
import threading


def main() -> int:
    parser = argparse.ArgumentParser(description="Run moto's server on loopback and print its URL.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    parser.add_argument(
        "--exit-on-stdin-close",
        action="store_true",
        help="stop when stdin reaches EOF (so a test harness that dies takes the server with it)",
    )
    args = parser.parse_args()

    try:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server
    except ImportError as error:  # moto, or its server extra (flask, werkzeug), is missing
        print(
            f"moto's server is not installed ({error}). Install it with: "
            'python3 -m pip install "moto[server]"',
            file=sys.stderr,
        )
        return 3

    app = SerializedDynamoDB(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)

    stop = threading.Event()
    # A parent may have blocked these signals (its mask is inherited); unblock them so SIGTERM works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_close:
        def watch_stdin() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
    stop.wait()
    server.shutdown()
    return 0


class SerializedDynamoDB:
    """Serves DynamoDB calls one at a time, as DynamoDB applies each item write atomically.

    moto checks a ConditionExpression and then applies the update in several steps without a lock, so two
    conditional writes racing on one item can both pass, and a Scan can see an item half updated. The lease
    tests (conditional takes and renewals from several archivers at once) need DynamoDB's behaviour.
    """

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_20120810."):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


if __name__ == "__main__":
    sys.exit(main())
