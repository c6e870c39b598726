import Foundation
import StreamVaultTesting
import Testing

/// Parallel shard readers against a Kinesis-compatible server with lineage: 8 root shards, 4 of them split
/// (8 children) and 2 children merged again (a shard with two parents), 4,550 records. moto cannot do this (its
/// split parents never close), so the server is a small stateful Python one speaking the Kinesis JSON protocol.
/// The archiver is killed with SIGKILL while it reads several shards at once and then run again. The archive must
/// equal what the stream holds per shard: same records, same order, none lost, none twice; each parent read to
/// its end before its children; several shards read at once.
@Suite(.timeLimit(.minutes(3)))
struct ArchiverParallelTests {
    static let server = #"""
        import base64, json, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        shards, order, calls = {}, [], []
        def shard(sid, parents=(), closed=True):
            shards[sid] = {"records": [], "parents": list(parents), "closed": closed}
            order.append(sid)
        for r in range(8):
            shard(f"shardId-{r:012d}")
        for r in range(4):
            shard(f"shardId-{8 + 2 * r:012d}", [f"shardId-{r:012d}"], closed=(r == 0))
            shard(f"shardId-{9 + 2 * r:012d}", [f"shardId-{r:012d}"], closed=(r == 0))
        shard("shardId-000000000016", ["shardId-000000000008", "shardId-000000000009"], closed=False)
        for r in range(4, 8):
            shards[f"shardId-{r:012d}"]["closed"] = False
        n = 0
        for sid in order:
            for i in range(400 if not shards[sid]["parents"] else 150):
                n += 1
                change = {"awsRegion": "us-east-1", "eventID": f"event-{n}", "eventName": "INSERT", "recordFormat": "application/json",
                          "tableName": "orders", "eventSource": "aws:dynamodb",
                          "dynamodb": {"ApproximateCreationDateTime": 1767225600000 + n, "Keys": {"pk": {"S": f"k{n}"}}, "SizeBytes": 10}}
                shards[sid]["records"].append({"SequenceNumber": str(10 ** 20 + n), "ApproximateArrivalTimestamp": 1767225600.5,
                                               "Data": base64.b64encode(json.dumps(change).encode()).decode(), "PartitionKey": f"k{n}"})
        def listing(sid):
            s = shards[sid]
            out = {"ShardId": sid, "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": "1"},
                   "SequenceNumberRange": {"StartingSequenceNumber": s["records"][0]["SequenceNumber"]}}
            if s["closed"]:
                out["SequenceNumberRange"]["EndingSequenceNumber"] = s["records"][-1]["SequenceNumber"]
            if s["parents"]:
                out["ParentShardId"] = s["parents"][0]
            if len(s["parents"]) > 1:
                out["AdjacentParentShardId"] = s["parents"][1]
            return out
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                op = self.headers.get("X-Amz-Target", "").split(".")[-1]
                if op == "ListShards":
                    answer = {"Shards": [listing(sid) for sid in order]}
                elif op == "DescribeStreamSummary":
                    answer = {"StreamDescriptionSummary": {"StreamName": "orders-cdc", "StreamStatus": "ACTIVE", "OpenShardCount": 5}}
                elif op == "GetShardIterator":
                    sid, kind = body["ShardId"], body["ShardIteratorType"]
                    records = shards[sid]["records"]
                    pos = 0
                    if kind == "AFTER_SEQUENCE_NUMBER":
                        pos = next(i + 1 for i, r in enumerate(records) if r["SequenceNumber"] == body["StartingSequenceNumber"])
                    answer = {"ShardIterator": f"{sid}/{pos}"}
                elif op == "GetRecords":
                    sid, pos = body["ShardIterator"].split("/")
                    pos, records = int(pos), shards[sid]["records"]
                    calls.append(sid)
                    page = records[pos:pos + body.get("Limit", 10000)]
                    end = pos + len(page)
                    answer = {"Records": page, "MillisBehindLatest": 0}
                    if not (shards[sid]["closed"] and end >= len(records)):
                        answer["NextShardIterator"] = f"{sid}/{end}"
                else:
                    answer = None
                data = json.dumps(answer or {"__type": "UnknownOperationException"}).encode()
                self.send_response(200 if answer is not None else 400)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                data = json.dumps(calls).encode() if self.path == "/calls" else json.dumps({sid: {"seqs": [r["SequenceNumber"] for r in s["records"]], "parents": s["parents"]} for sid, s in shards.items()}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=lambda: (sys.stdin.read(), __import__("os")._exit(0)), daemon=True).start()  # exit with the test
        print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()
        """#

    /// Per shard, the first and last block (commit order) and the number of blocks, from the catalog.
    static let commitOrder = #"""
        import json, sqlite3, sys
        db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
        rows = db.execute("SELECT s.shard_id, min(b.id), max(b.id), count(*) FROM blocks b JOIN shards s ON s.id = b.shard_id GROUP BY s.shard_id")
        print(json.dumps({r[0]: {"first": r[1], "last": r[2], "blocks": r[3]} for r in rows}))
        """#

    struct ShardTruth: Decodable {
        var seqs: [String]
        var parents: [String]
    }

    struct Blocks: Decodable {
        var first: Int
        var last: Int
        var blocks: Int
    }

    @Test func parallelReadersKeepOrderLoseNothingAndDuplicateNothingAcrossSIGKILL() async throws {
        let server = try await ServerProcess.start(["python3", "-c", Self.server])
        let endpoint = server.url
        try await server.serving {
            let data = try await CommandRunner.python(
                "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                [endpoint]
            )
            let truth = try JSONDecoder().decode([String: ShardTruth].self, from: data)
            #expect(truth.count == 17, "8 roots, 8 children of 4 splits, 1 merge")
            #expect(truth.values.contains { $0.parents.count == 2 })
            let workspace = try CLIWorkspace()
            // Small pages (one commit each) so that the kill lands between pages of several shards read at once.
            let arguments = [
                "archive", "--kinesis-stream", "orders-cdc", "--stream", "orders", "--endpoint-url", endpoint, "--poll-interval", "0.05",
                "--records-per-call", "40", "--storage", workspace.storage,
            ]
            let running = try CommandRunner.start(try CommandRunner.streamvaultPath, arguments, environment: MotoServer.environment)
            let catalog = workspace.storage + "/catalog.sqlite"
            // Kill once some records are committed (the archive of all 2400 records takes seconds).
            for _ in 0..<400 {
                if let order = try? await Self.blocks(catalog), order.values.reduce(0, { $0 + $1.blocks }) >= 20 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            running.kill(SIGKILL)
            _ = try await running.finished()

            let resumed = try await workspace.runAsync(
                [
                    "archive", "--kinesis-stream", "orders-cdc", "--stream", "orders", "--endpoint-url", endpoint, "--once", "--max-shard-readers",
                    "4",
                    "--records-per-call", "40",
                ],
                environment: MotoServer.environment
            )
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdoutText.contains("0 duplicates") || resumed.stdoutText.contains("duplicates dropped"), "\(resumed.stdoutText)")

            for (shard, expected) in truth {
                let replay = try await workspace.okAsync(["replay", "--stream", "orders", "--shard", shard])
                let archived = replay.lines.compactMap { $0.firstMatch(of: /"SequenceNumber": ?"([0-9]+)"/).map { String($0.1) } }
                let firstDifference = zip(archived, expected.seqs).enumerated().first { $0.element.0 != $0.element.1 }.map {
                    "first difference at \($0.offset)"
                }
                #expect(
                    archived == expected.seqs,
                    "shard \(shard): \(archived.count) archived, \(expected.seqs.count) in the stream, \(firstDifference ?? "same prefix"); resumed run: \(resumed.stdoutText)"
                )
            }
            let order = try await Self.blocks(catalog)
            for (shard, expected) in truth where !expected.parents.isEmpty {
                for parent in expected.parents {
                    guard let child = order[shard], let parentBlocks = order[parent] else { continue }
                    #expect(parentBlocks.last < child.first, "\(parent) is read to its end before its child \(shard)")
                }
            }
            // Several shards were read at once: consecutive GetRecords calls go to different shards most of the time
            // (one reader at a time reads a shard to its end, then the next: about one switch per shard).
            let calls = try JSONDecoder().decode(
                [String].self,
                from: try await CommandRunner.python(
                    "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                    [endpoint + "/calls"]
                )
            )
            let switches = zip(calls, calls.dropFirst()).filter { $0 != $1 }.count
            #expect(switches > 4 * truth.count, "\(switches) switches between shards in \(calls.count) GetRecords calls")
        }
    }

    static func blocks(_ catalog: String) async throws -> [String: Blocks] {
        guard FileManager.default.fileExists(atPath: catalog) else { return [:] }
        return try JSONDecoder().decode([String: Blocks].self, from: try await CommandRunner.python(Self.commitOrder, [catalog]))
    }
}
