import Foundation
import StreamVaultTesting

/// A tiny HTTP server (python3 http.server) that answers POSTs from a script, for what moto cannot produce:
/// throttling, trimmed data, expired iterators, slow answers.
///
/// Each answer is `{"status": Int, "body": String, "headers": {..}, "delay": seconds}`; requests beyond the
/// script get the last answer again. `GET /__requests` returns what was received: target, content type,
/// whether an Authorization header was present, and the JSON body.
struct ScriptedServer {
    struct Answer: Encodable {
        var status: Int
        var body: String
        var headers: [String: String] = [:]
        var delay: Double = 0

        static func ok(_ body: String) -> Answer { Answer(status: 200, body: body, headers: ["Content-Type": "application/x-amz-json-1.0"]) }
        static func awsError(_ type: String, status: Int = 400, message: String = "scripted") -> Answer {
            Answer(status: status, body: #"{"__type":"com.amazonaws.dynamodb.v20120810#\#(type)","message":"\#(message)"}"#)
        }
        static let html500 = Answer(
            status: 500,
            body: "<!doctype html><title>500 Internal Server Error</title>",
            headers: ["Content-Type": "text/html"]
        )
    }

    struct Received: Decodable {
        let target: String?
        let contentType: String?
        let authorization: Bool
        let securityToken: String?
        let body: String
        /// Whether botocore's own SigV4 signer, given the same signed headers and body, produced the same Authorization.
        let signatureValid: Bool
    }

    static let source = #"""
        import json, re, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        def signature_valid(headers, body, url):
            """Re-signs the request with botocore (credentials testing/testing/testing) and compares."""
            authorization = headers.get("Authorization", "")
            match = re.match(r"AWS4-HMAC-SHA256 Credential=testing/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", authorization)
            if not match:
                return False
            _, region, service, signed, signature = match.groups()
            names = signed.split(";")
            request = AWSRequest(method="POST", url=url, data=body, headers={name: headers.get(name, "") for name in names})
            request.context["timestamp"] = headers.get("X-Amz-Date", "")
            auth = SigV4Auth(Credentials("testing", "testing", "testing"), service, region)
            canonical = auth.canonical_request(request)
            expected = auth.signature(auth.string_to_sign(request, canonical), request)
            return auth.signed_headers(auth.headers_to_sign(request)) == signed and expected == signature

        script = json.loads(sys.argv[1])
        received = []
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def reply(self, status, body, headers):
                data = body.encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                with lock:
                    self.reply(200, json.dumps(received), {"Content-Type": "application/json"})
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                with lock:
                    index = min(len(received), len(script) - 1)
                    received.append({
                        "target": self.headers.get("X-Amz-Target"),
                        "contentType": self.headers.get("Content-Type"),
                        "authorization": self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="),
                        "securityToken": self.headers.get("X-Amz-Security-Token"),
                        "body": body,
                        "signatureValid": signature_valid(self.headers, body.encode(), "http://" + self.headers.get("Host", "") + self.path),
                    })
                answer = script[index]
                if answer.get("delay"):
                    time.sleep(answer["delay"])
                try:
                    self.reply(answer["status"], answer["body"], answer.get("headers", {}))
                except (BrokenPipeError, ConnectionResetError):
                    pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
        server.serve_forever()
        """#

    /// Runs `body` with a server playing `script`, then returns what the server received.
    static func run(_ script: [Answer], _ body: (String) async throws -> Void) async throws -> [Received] {
        let json = String(decoding: try JSONEncoder().encode(script), as: UTF8.self)
        let server = try await ServerProcess.start(["python3", "-c", source, json])
        do {
            try await body(server.url)
        } catch {
            await server.stop()
            throw error
        }
        let received = try await Self.received(from: server.url)
        await server.stop()
        return received
    }

    private static func received(from url: String) async throws -> [Received] {
        let output = try await CommandRunner.python(
            "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + '/__requests').read().decode())",
            [url]
        )
        return try JSONDecoder().decode([Received].self, from: output)
    }
}
