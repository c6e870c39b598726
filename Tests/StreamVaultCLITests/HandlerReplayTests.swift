import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// `streamvault replay` into real handlers: a Python function on aws-lambda-powertools' BatchProcessor under
/// awslambdaric (--lambda-runtime), NDJSON children (--exec), HTTP endpoints (--http), and a scripted Lambda
/// Invoke API that checks SigV4 (--lambda).
@Suite(.timeLimit(.minutes(2)))
struct HandlerReplayTests {
    /// An archive of `records` records over `shards` shards; returns the workspace and each shard's sequence numbers.
    static func archive(records: Int, shards: Int) throws -> (CLIWorkspace, [String: [String]]) {
        let ws = try CLIWorkspace()
        var byShard: [String: [String]] = [:]
        for file in try SampleFiles.perShard(in: ws.directory.path, records: records, shards: shards) {
            try ws.ok(["ingest", "--stream", "orders", "--shard", file.shard, file.path])
            byShard[file.shard] = file.lines.map(sequenceNumber)
        }
        return (ws, byShard)
    }

    static func sequenceNumber(_ line: String) -> String {
        let start = line.range(of: "\"SequenceNumber\":\"")!.upperBound
        return String(line[start...].prefix { $0 != "\"" })
    }

    static func summary(_ result: CommandRunner.Result) throws -> [String: Any] {
        let line = try #require(result.lines.last)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The Lambda function: powertools' BatchProcessor, failing the records named in POISON (always, or only the
    /// first time with POISON_ONCE), logging each record it handles to HANDLER_LOG as "<seq> ok|fail".
    static let powertoolsHandler = """
        import os
        from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

        processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
        POISON = set(filter(None, os.environ.get("POISON", "").split(",")))
        ONCE = os.environ.get("POISON_ONCE") == "1"
        LOG = os.environ["HANDLER_LOG"]
        failed = set()

        def record_handler(record):
            seq = record.dynamodb.sequence_number
            fail = seq in POISON and not (ONCE and seq in failed)
            with open(LOG, "a") as log:
                log.write(seq + (" fail\\n" if fail else " ok\\n"))
            if fail:
                failed.add(seq)
                raise ValueError("poison " + seq)

        def handler(event, context):
            assert context.aws_request_id and context.get_remaining_time_in_millis() > 0
            assert context.function_name == os.environ["AWS_LAMBDA_FUNCTION_NAME"]
            return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
        """

    static func log(_ path: String) throws -> [(sequence: String, ok: Bool)] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), parts[1] == "ok")
        }
    }

    @Test func powertoolsUnderAwslambdaricRetriesFromTheFailedRecordAndDeliversEverythingOnce() async throws {
        let (ws, byShard) = try Self.archive(records: 120, shards: 2)
        try Self.powertoolsHandler.write(toFile: ws.directory.file("handler.py"), atomically: true, encoding: .utf8)
        let shard = byShard.keys.sorted()[0]
        let poison = [byShard[shard]![13], byShard[shard]![47]]
        let logPath = ws.directory.file("handler.log")
        let result = try await ws.okAsync(
            [
                "replay", "--stream", "orders", "--lambda-runtime", "cd \(ws.directory.path) && exec python3 -m awslambdaric handler.handler",
                "--batch-size", "10", "--report-batch-item-failures", "--json", "--timeout", "20",
            ],
            environment: ["POISON": poison.joined(separator: ","), "POISON_ONCE": "1", "HANDLER_LOG": logPath]
        )
        let summary = try Self.summary(result)
        #expect(summary["recordsDelivered"] as? Int == 120)
        #expect(summary["partialFailures"] as? Int == 2)
        #expect(summary["retries"] as? Int == 2)
        #expect(summary["invocations"] as? Int == byShard.values.reduce(2) { $0 + ($1.count + 9) / 10 })
        let log = try Self.log(logPath)
        var handled: [String: [String]] = [:]
        for entry in log where entry.ok {
            let owner = byShard.first { $0.value.contains(entry.sequence) }!.key
            handled[owner, default: []].append(entry.sequence)
        }
        // A poison record's batch: powertools handles all ten (the poison one fails), the retry starts at it.
        for (owner, sequences) in byShard {
            var expected: [String] = []
            for start in stride(from: 0, to: sequences.count, by: 10) {
                let batch = Array(sequences[start..<min(start + 10, sequences.count)])
                if let index = batch.firstIndex(where: poison.contains) {
                    expected += batch[..<index] + batch[(index + 1)...] + batch[index...]
                } else {
                    expected += batch
                }
            }
            #expect(handled[owner] == expected, "shard \(owner) in order, retried from the failed record")
        }
        #expect(log.filter { !$0.ok }.map(\.sequence) == poison)
    }

    @Test func exhaustedRetriesWriteAWSShapedFailureRecordsAndExitThree() async throws {
        let (ws, byShard) = try Self.archive(records: 60, shards: 1)
        try Self.powertoolsHandler.write(toFile: ws.directory.file("handler.py"), atomically: true, encoding: .utf8)
        let sequences = byShard.values.first!
        let poison = sequences[13]
        let failed = ws.directory.file("failed.ndjson")
        let result = try await ws.runAsync(
            [
                "replay", "--stream", "orders", "--lambda-runtime", "cd \(ws.directory.path) && exec python3 -m awslambdaric handler.handler",
                "--batch-size", "10", "--report-batch-item-failures", "--max-retries", "2", "--on-failure", failed, "--json",
            ],
            environment: ["POISON": poison, "HANDLER_LOG": ws.directory.file("handler.log")]
        )
        #expect(result.status == 3, "\(result.stderr)")
        let summary = try Self.summary(result)
        #expect(summary["recordsFailed"] as? Int == 7)
        #expect(summary["recordsDelivered"] as? Int == 53)
        #expect(summary["retries"] as? Int == 2)
        let lines = try String(contentsOfFile: failed, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let record = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        let context = record["requestContext"] as! [String: Any]
        #expect(context["condition"] as? String == "RetryAttemptsExhausted")
        #expect(context["approximateInvokeCount"] as? Int == 3)
        #expect((context["functionArn"] as? String)?.hasPrefix("arn:aws:lambda:") == true)
        let info = record["DDBStreamBatchInfo"] as! [String: Any]
        #expect(info["startSequenceNumber"] as? String == poison)
        #expect(info["endSequenceNumber"] as? String == sequences[19])
        #expect(info["batchSize"] as? Int == 7)
        #expect(info["shardId"] as? String == byShard.keys.first)
        // The failure record points at the records: replay brings them back.
        let back = try await ws.okAsync([
            "replay", "--stream", "orders", "--shard", byShard.keys.first!, "--from-seq", poison, "--to-seq", sequences[19],
        ])
        #expect(back.lines.map(Self.sequenceNumber) == Array(sequences[13..<20]))
    }

    /// An --exec child that fails (raises) every batch holding POISON, crashes once on CRASH, hangs once on HANG.
    static let execHandler = """
        import json, os, sys, time
        poison, crash, hang = os.environ.get("POISON"), os.environ.get("CRASH"), os.environ.get("HANG")
        marks = os.environ["MARKS"]
        def once(name):
            path = os.path.join(marks, name)
            if os.path.exists(path):
                return False
            open(path, "w").close()
            return True
        for line in sys.stdin:
            sequences = [r["dynamodb"]["SequenceNumber"] for r in json.loads(line)["Records"]]
            if crash in sequences and once("crash"):
                os._exit(9)
            if hang in sequences and once("hang"):
                time.sleep(60)
            if poison in sequences:
                print(json.dumps({"errorType": "ValueError", "errorMessage": "poison"}), flush=True)
                continue
            with open(os.path.join(marks, "log"), "a") as log:
                log.write("".join(s + "\\n" for s in sequences))
            print("null", flush=True)
        """

    @Test func execChildThatErrsCrashesAndHangsIsBisectedRestartedAndTimedOut() async throws {
        let (ws, byShard) = try Self.archive(records: 64, shards: 1)
        let sequences = byShard.values.first!
        try Self.execHandler.write(toFile: ws.directory.file("handler.py"), atomically: true, encoding: .utf8)
        let marks = ws.directory.file("marks")
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        let failed = ws.directory.file("failed.ndjson")
        let result = try await ws.runAsync(
            [
                "replay", "--stream", "orders", "--exec", "python3 \(ws.directory.file("handler.py"))", "--batch-size", "8",
                "--bisect-on-error", "--max-retries", "1", "--on-failure", failed, "--timeout", "4", "--json",
            ],
            environment: ["POISON": sequences[5], "CRASH": sequences[20], "HANG": sequences[40], "MARKS": marks]
        )
        #expect(result.status == 3, "\(result.stderr)")
        let summary = try Self.summary(result)
        #expect(summary["recordsFailed"] as? Int == 1)
        #expect(summary["recordsDelivered"] as? Int == 63)
        #expect(summary["crashes"] as? Int == 1)
        #expect(summary["timeouts"] as? Int == 1)
        // Batch 0..<8: split to 0..<4, 4..<8 -> 4..<6 -> 4, 5 (fails twice); crash and hang: split once each.
        #expect(summary["bisections"] as? Int == 5)
        let delivered = try String(contentsOfFile: marks + "/log", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(delivered == sequences.filter { $0 != sequences[5] }, "each record once, in order")
        let record = try JSONSerialization.jsonObject(with: Data(try String(contentsOfFile: failed, encoding: .utf8).utf8)) as! [String: Any]
        let info = record["DDBStreamBatchInfo"] as! [String: Any]
        #expect(info["startSequenceNumber"] as? String == sequences[5] && info["batchSize"] as? Int == 1)
        #expect((record["responseContext"] as! [String: Any])["functionError"] as? String == "Unhandled")
    }

    @Test(arguments: [["--exec", "/nonexistent/handler"], ["--http", "http://127.0.0.1:PORT/invoke"]])
    func anUnusableHandlerStopsWithStatusFour(_ handler: [String]) async throws {
        let (ws, _) = try Self.archive(records: 20, shards: 1)
        let dead = try DeadEndpoint(.refusesConnections)
        let arguments = handler.map { $0.replacingOccurrences(of: "PORT", with: String(dead.port)) }
        let result = try await ws.runAsync(["replay", "--stream", "orders", "--json"] + arguments)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(try Self.summary(result)["state"] as? String == "stopped")
        #expect(result.stderr.contains(handler[0] == "--exec" ? "cannot be run" : "cannot be reached"))
    }

    /// A scripted HTTP endpoint: --http (RIE-like, /invoke) and the Lambda Invoke API (/2015-03-31/...), which
    /// recomputes the SigV4 signature with botocore and answers 403 when it does not match.
    static let httpServer = """
        import json, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        poison = sys.argv[1]
        log = open(sys.argv[2], "a")
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def answer(self, status, body, headers={}):
                data = body.encode()
                self.send_response(status)
                for k, v in headers.items(): self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path.startswith("/2015-03-31/functions/"):
                    sent = self.headers.get("Authorization", "")
                    signed = sent.split("SignedHeaders=")[1].split(",")[0].split(";") if "SignedHeaders=" in sent else []
                    request = AWSRequest(method="POST", url="http://" + self.headers["Host"] + self.path, data=body,
                        headers={k: v for k, v in self.headers.items() if k.lower() in signed})
                    auth = SigV4Auth(Credentials("AKIDTEST", "secret"), "lambda", "eu-west-1")
                    request.context["timestamp"] = self.headers["X-Amz-Date"]
                    auth._modify_request_before_signing(request)
                    signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
                    auth._inject_signature_to_request(request, signature)
                    if not signed or request.headers["Authorization"] != sent:
                        return self.answer(403, json.dumps({"message": "The request signature we calculated does not match"}))
                sequences = [r["dynamodb"]["SequenceNumber"] for r in json.loads(body)["Records"]]
                if poison in sequences:
                    error = json.dumps({"errorMessage": "poison", "errorType": "ValueError"})
                    return self.answer(200, error, {"X-Amz-Function-Error": "Unhandled"} if "/functions/" in self.path else {})
                log.write("".join(s + "\\n" for s in sequences)); log.flush()
                self.answer(200, "null", {"Content-Type": "application/json"})
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
        server.serve_forever()
        """

    @Test(arguments: ["http", "lambda"])
    func httpAndLambdaInvokeTreatErrorsAsFunctionErrors(_ kind: String) async throws {
        let (ws, byShard) = try Self.archive(records: 40, shards: 1)
        let sequences = byShard.values.first!
        let logPath = ws.directory.file("server.log")
        let server = try await ServerProcess.start(["python3", "-c", Self.httpServer, sequences[7], logPath])
        try await server.serving {
            let handler =
                kind == "http"
                ? ["--http", server.url + "/invoke"] : ["--lambda", "orders-fn", "--endpoint-url", server.url, "--region", "eu-west-1"]
            let result = try await ws.runAsync(
                ["replay", "--stream", "orders", "--batch-size", "10", "--max-retries", "1", "--json"] + handler,
                environment: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"]
            )
            #expect(result.status == 3, "\(result.stderr)")
            let summary = try Self.summary(result)
            #expect(summary["functionErrors"] as? Int == 2)
            #expect(summary["recordsFailed"] as? Int == 10)
            #expect(summary["recordsDelivered"] as? Int == 30)
            let delivered = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(delivered == Array(sequences[10...]))
        }
    }
}

extension HandlerReplayTests {
    /// A child that checks each event is a Lambda Kinesis event and fails the batch holding POISON.
    static let kinesisHandler = """
        import base64, json, os, sys
        for line in sys.stdin:
            records = json.loads(line)["Records"]
            assert all(r["eventSource"] == "aws:kinesis" and r["kinesis"]["partitionKey"] for r in records)
            changes = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
            assert all(c["dynamodb"]["Keys"] for c in changes)
            sequences = [r["kinesis"]["sequenceNumber"] for r in records]
            if os.environ["POISON"] in sequences:
                print(json.dumps({"errorType": "E", "errorMessage": "poison"}), flush=True)
            else:
                print(json.dumps({"batchItemFailures": []}), flush=True)
        """

    @Test func kinesisEventsAndKinesisBatchInfoWithProgressOnStderr() async throws {
        let (ws, byShard) = try Self.archive(records: 30, shards: 1)
        let sequences = byShard.values.first!
        try Self.kinesisHandler.write(toFile: ws.directory.file("handler.py"), atomically: true, encoding: .utf8)
        let failed = ws.directory.file("failed.ndjson")
        let result = try await ws.runAsync(
            [
                "replay", "--stream", "orders", "--exec", "python3 \(ws.directory.file("handler.py"))", "--event-format", "lambda-kinesis",
                "--batch-size", "10", "--max-retries", "0", "--on-failure", failed, "--progress", "--report-batch-item-failures",
            ],
            environment: ["POISON": sequences[25]]
        )
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("ETA"), "a progress line with --progress")
        #expect(result.stderr.contains("20 records delivered"))
        let record = try JSONSerialization.jsonObject(with: Data(try String(contentsOfFile: failed, encoding: .utf8).utf8)) as! [String: Any]
        let info = try #require(record["KinesisBatchInfo"] as? [String: Any])
        #expect(info["startSequenceNumber"] as? String == sequences[20] && info["batchSize"] as? Int == 10)
        #expect((record["requestContext"] as! [String: Any])["approximateInvokeCount"] as? Int == 1)
    }
}

/// Record selection (--filter, --key, TTL) applies to handlers as to a replay to stdout: filtered records are not delivered.
@Suite(.timeLimit(.minutes(2)))
struct HandlerSelectionTests {
    static let loggingHandler = """
        import json, os, sys
        for line in sys.stdin:
            with open(os.environ["HANDLER_LOG"], "a") as log:
                for r in json.loads(line)["Records"]:
                    log.write(r["eventName"] + " " + r["dynamodb"]["SequenceNumber"] + "\\n")
            print(json.dumps({"batchItemFailures": []}), flush=True)
        """

    @Test func filterCriteriaAndKeySelectWhatTheHandlerGets() async throws {
        let (ws, _) = try HandlerReplayTests.archive(records: 120, shards: 2)
        try Self.loggingHandler.write(toFile: ws.directory.file("handler.py"), atomically: true, encoding: .utf8)
        let selection = ["--filter", #"{"eventName":["MODIFY"]}"#, "--key", "pk=CUSTOMER#10001"]
        let log = ws.directory.file("delivered.log")
        let result = try await ws.runAsync(
            ["replay", "--stream", "orders", "--exec", "python3 \(ws.directory.file("handler.py"))", "--batch-size", "5", "--max-retries", "2"]
                + selection,
            environment: ["HANDLER_LOG": log]
        )
        #expect(result.status == 0, "\(result.stderr)")
        let delivered = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let expected = try await ws.okAsync(["replay", "--stream", "orders"] + selection).lines.map { HandlerReplayTests.sequenceNumber($0) }
        #expect(!expected.isEmpty)
        #expect(delivered.map { String($0.split(separator: " ")[1]) } == expected)
        #expect(delivered.allSatisfy { $0.hasPrefix("MODIFY ") })
    }
}

/// Named replays: checkpoints after each batch, resume after kill -9 with nothing skipped.
@Suite(.timeLimit(.minutes(2)))
struct NamedReplayTests {
    /// Logs each record it takes; with HANG_AFTER, stops answering (until the replay is gone) once that many are logged,
    /// so the test kills the replay mid-way whatever the machine's speed.
    static let stallingHandler = """
        import json, os, sys, time
        path = os.environ["HANDLER_LOG"]
        hang = int(os.environ.get("HANG_AFTER", "0"))
        for line in sys.stdin:
            sequences = [r["dynamodb"]["SequenceNumber"] for r in json.loads(line)["Records"]]
            with open(path, "a") as log:
                log.write("".join(s + "\\n" for s in sequences))
            if hang and sum(1 for _ in open(path)) >= hang:
                sys.stdin.read()  # no answer; ends when the replay is gone (its end of the pipe closes)
                sys.exit(0)
            print("null", flush=True)
        """

    static func replays(_ ws: CLIWorkspace) async throws -> [[String: Any]] {
        let result = try await ws.okAsync(["replays", "--json"])
        return try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func aNamedReplayKilledWithSigkillResumesWithNothingSkippedAndInOrder() async throws {
        let (ws, byShard) = try HandlerReplayTests.archive(records: 400, shards: 2)
        try Self.stallingHandler.write(toFile: ws.directory.file("handler.py"), atomically: true, encoding: .utf8)
        let logPath = ws.directory.file("handler.log")
        let arguments = [
            "replay", "--stream", "orders", "--exec", "python3 \(ws.directory.file("handler.py"))", "--batch-size", "10",
            "--name", "backfill", "--storage", ws.storage,
        ]
        let running = try CommandRunner.start(CommandRunner.streamvaultPath, arguments, environment: ["HANDLER_LOG": logPath, "HANG_AFTER": "150"])
        var seen = 0
        for _ in 0..<1500 where seen < 150 {
            try await Task.sleep(for: .milliseconds(20))
            seen = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        running.kill(SIGKILL)
        _ = await running.finished()
        let firstRun = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(firstRun.count == 150, "killed mid-way (\(firstRun.count) records)")
        let interrupted = try await Self.replays(ws)
        #expect(interrupted.first?["state"] as? String == "interrupted")
        #expect((interrupted.first?["recordsDelivered"] as? Int ?? 0) > 0)

        let again = try await ws.runAsync(["replay", "--stream", "orders", "--exec", "true", "--name", "backfill"])
        #expect(again.status == 64 && again.stderr.contains("--resume backfill"), "a taken name is refused: \(again.stderr)")

        let resumed = try await ws.okAsync(["replay", "--resume", "backfill", "--json"], environment: ["HANDLER_LOG": logPath])
        let all = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init)
        let secondRun = Array(all[firstRun.count...])
        #expect(Set(all) == Set(byShard.values.flatMap { $0 }), "nothing skipped")
        // At-least-once: only what the killed run had in flight (one batch) comes again.
        #expect(all.count - 400 <= 10, "\(all.count - 400) records delivered twice")
        for (_, sequences) in byShard {
            let own = secondRun.filter(sequences.contains)
            if let first = own.first {
                #expect(own == Array(sequences[sequences.firstIndex(of: first)!...]), "the resumed run continues the shard in order")
            }
        }
        let last = try #require(resumed.lines.last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["recordsDelivered"] as? Int ?? 0 >= 400)
        let done = try await Self.replays(ws)
        #expect(done.first?["state"] as? String == "completed")
        #expect(done.first?["recordsDelivered"] as? Int ?? 0 >= 400)
        let noop = try await ws.okAsync(["replay", "--resume", "backfill"])
        #expect(noop.stderr.contains("is complete"))
    }
}
