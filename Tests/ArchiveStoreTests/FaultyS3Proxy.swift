import Foundation
import StreamVaultTesting

/// A small HTTP proxy in front of moto's S3 that misbehaves as a store under stress does. Its mode is the content of
/// a control file, read on every request, so a test can switch it while uploads run:
/// - `flaky`: each PUT/POST that carries a body is answered, per path, first with a 500 InternalError, then with a
///   503 SlowDown, then cut off after half its body has been read (the connection closes without an answer), and
///   only the fourth time passed on.
/// - `index-down`: every request for an index object gets a 500; the rest pass.
/// - anything else: everything passes.
/// The proxy prints its URL and counts what it did in `<control>.log` (one word per line: `500`, `503`, `cut`, `pass`).
enum FaultyS3Proxy {
    static let script = #"""
        import http.client, http.server, socket, sys, threading

        upstream = sys.argv[1].split("//", 1)[1]
        control = sys.argv[2]
        seen = {}
        lock = threading.Lock()

        def note(word):
            with lock, open(control + ".log", "a") as log:
                log.write(word + "\n")

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def answer(self, status, code):
                body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>injected {code}</Message></Error>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    mode = open(control).read().strip()
                except OSError:
                    mode = ""
                path = self.path.split("?", 1)[0]
                if mode == "flaky" and self.command in ("PUT", "POST") and length > 0:
                    with lock:
                        seen[self.path] = seen.get(self.path, 0) + 1
                        attempt = seen[self.path]
                    if attempt == 1:
                        self.rfile.read(length); note("500"); return self.answer(500, "InternalError")
                    if attempt == 2:
                        self.rfile.read(length); note("503"); return self.answer(503, "SlowDown")
                    if attempt == 3:
                        self.rfile.read(length // 2); note("cut")
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                if mode == "index-down" and "/index/" in path:
                    self.rfile.read(length); note("500"); return self.answer(500, "InternalError")
                body = self.rfile.read(length) if length else b""
                connection = http.client.HTTPConnection(upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                note("pass")
                self.send_response(response.status)
                for k, v in response.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        """#

    /// Starts the proxy in front of `upstream`, controlled by the file `control`.
    static func start(upstream: String, control: String, directory: TemporaryDirectory) async throws -> ServerProcess {
        let path = directory.file("faulty_s3_proxy.py")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return try await ServerProcess.start(["python3", path, upstream, control])
    }

    /// What the proxy did so far, by word.
    static func counts(control: String) -> [String: Int] {
        let text = (try? String(contentsOfFile: control + ".log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").reduce(into: [:]) { $0[String($1), default: 0] += 1 }
    }
}
