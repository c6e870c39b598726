import Foundation
import StreamVaultTesting
import Testing

/// `streamvault serve` read by real clients: boto3, the AWS CLI and a KCL-like poller, over an archive with
/// shard lineage ingested through the server's own endpoint, compared with `streamvault replay`.
@Suite(.timeLimit(.minutes(5)))
struct ServeCommandTests {
    static let parent = "shardId-00000001767225600000-aaaaaaaa"
    static let child = "shardId-00000001767229200000-bbbbbbbb"
    static let otherChild = "shardId-00000001767229200000-cccccccc"
    static var clients: String { CommandRunner.packageRoot + "/tools/lib/server_clients.py" }

    static func python(_ arguments: [String]) async throws -> CommandRunner.Result {
        let result = try await CommandRunner.runAsync("python3", [clients] + arguments)
        #expect(result.status == 0, "server_clients.py \(arguments.first ?? "") failed: \(result.stderr.suffix(3000))")
        return result
    }

    /// Serves a fresh archive; ingests a parent shard and two children through the endpoint.
    static func withLineage(
        extra: [String] = [],
        _ body: (CLIWorkspace, ServerProcess) async throws -> Void
    ) async throws {
        let workspace = try CLIWorkspace()
        try FileManager.default.createDirectory(atPath: workspace.storage, withIntermediateDirectories: true)
        let files = try SampleFiles.perShard(in: workspace.directory.path, records: 900, shards: 3)
        let server = try await ServerProcess.start(
            [CommandRunner.streamvaultPath, "serve", "--port", "0", "--storage", workspace.storage] + extra
        )
        try await server.serving {
            if !extra.contains("--read-only") && !extra.contains("--auth") {
                _ = try await python(["ingest", server.url, "orders", files[0].path, parent])
                _ = try await python(["ingest", server.url, "orders", files[1].path, child, parent])
                _ = try await python(["ingest", server.url, "orders", files[2].path, otherChild, parent])
            }
            try await body(workspace, server)
        }
    }

    static func canonicalLines(_ text: String) throws -> [String] {
        try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    @Test func boto3ReadsEveryShardOverLineageAsReplayDoes() async throws {
        try await Self.withLineage { workspace, server in
            let out = workspace.directory.file("ddb.ndjson")
            _ = try await Self.python(["read-ddb", server.url, out])
            let served = try Self.canonicalLines(try String(contentsOfFile: out, encoding: .utf8))
            let replayed = try Self.canonicalLines(try await workspace.okAsync(["replay", "--stream", "orders"]).stdoutText)
            #expect(served.count == 900)
            #expect(served == replayed)
        }
    }

    @Test func aKCLLikePollerSeesEveryRecordOnceParentsFirst() async throws {
        try await Self.withLineage { workspace, server in
            let out = workspace.directory.file("kcl.txt")
            _ = try await Self.python(["kcl-kinesis", server.url, "orders", out])
            let seen = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
            let replayed = try await workspace.okAsync(["replay", "--stream", "orders"]).lines.map(eventID)
            #expect(seen.count == 900)
            #expect(Set(seen).count == 900)
            #expect(Array(seen.prefix(300)) == Array(replayed.prefix(300)), "the parent is read first")
            #expect(Set(seen) == Set(replayed))
        }
    }

    @Test func everyErrorCaseReachesBotocoreAsItsAWSCode() async throws {
        try await Self.withLineage { _, server in
            let lines = try await Self.python(["errors", server.url, "orders", Self.child]).lines
            let codes = Dictionary(
                uniqueKeysWithValues: lines.map { line -> (String, String) in
                    let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                }
            )
            #expect(codes["ddb-unknown-stream"] == "ResourceNotFoundException 400")
            #expect(codes["ddb-unknown-shard"] == "ResourceNotFoundException 400")
            #expect(codes["ddb-garbage-iterator"] == "ValidationException 400")
            #expect(codes["ddb-limit"] == "ValidationException 400")
            #expect(codes["ddb-trimmed"] == "TrimmedDataAccessException 400")
            #expect(codes["ddb-kinesis-iterator"] == "ValidationException 400")
            #expect(codes["kinesis-unknown-stream"] == "ResourceNotFoundException 400")
            #expect(codes["kinesis-bad-sequence"] == "InvalidArgumentException 400")
            #expect(codes["kinesis-garbage-iterator"] == "InvalidArgumentException 400")
            #expect(codes["kinesis-both-token-and-name"] == "InvalidArgumentException 400")
            #expect(codes["malformed-json"] == "SerializationException 400")
            #expect(codes["unknown-operation"] == "UnknownOperationException 400")
        }
    }

    @Test func theAWSCLIListsAndReadsWithAtTimestamp() async throws {
        try await Self.withLineage { workspace, server in
            let environment = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"]
            let streams = try await CommandRunner.runAsync(
                "aws",
                ["dynamodbstreams", "list-streams", "--endpoint-url", server.url, "--output", "json"],
                environment: environment
            )
            #expect(streams.status == 0, "\(streams.stderr)")
            #expect(streams.stdoutText.contains("\"TableName\": \"orders\""))
            // The 150th record of the parent shard, by its event time.
            let parentLines = try SampleFiles.perShard(in: workspace.directory.path, records: 900, shards: 3)[0].lines
            let object = try #require(try JSONSerialization.jsonObject(with: Data(parentLines[150].utf8)) as? [String: Any])
            let seconds = try #require((object["dynamodb"] as? [String: Any])?["ApproximateCreationDateTime"] as? Double)
            let iterator = try await CommandRunner.runAsync(
                "aws",
                [
                    "kinesis", "get-shard-iterator", "--endpoint-url", server.url, "--stream-name", "orders", "--shard-id", Self.parent,
                    "--shard-iterator-type", "AT_TIMESTAMP", "--timestamp", "\(seconds)", "--query", "ShardIterator", "--output", "text",
                ],
                environment: environment
            )
            #expect(iterator.status == 0, "\(iterator.stderr)")
            let records = try await CommandRunner.runAsync(
                "aws",
                [
                    "kinesis", "get-records", "--endpoint-url", server.url, "--shard-iterator",
                    iterator.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "--limit", "1", "--output", "json",
                ],
                environment: environment
            )
            #expect(records.status == 0, "\(records.stderr)")
            let sequence = try #require((object["dynamodb"] as? [String: Any])?["SequenceNumber"] as? String)
            #expect(records.stdoutText.contains("\"SequenceNumber\": \"\(sequence)\""))
            let boto = try await Self.python(["at-timestamp", server.url, "orders", Self.parent, "\(seconds)"])
            #expect(boto.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == sequence)
        }
    }

    @Test func sigV4AcceptsConfiguredKeysOnlyAndReadOnlyRefusesIngest() async throws {
        let workspace = try CLIWorkspace()
        try FileManager.default.createDirectory(atPath: workspace.storage, withIntermediateDirectories: true)
        let keys = try workspace.write("keys.txt", ["# id secret", "AKIDSTREAMVAULT1 s3cret-one"])
        // Ingest first, unsigned, on loopback; then serve the same archive with auth, read-only.
        let file = try SampleFiles.perShard(in: workspace.directory.path, records: 20, shards: 1)[0]
        let open = try await ServerProcess.start([CommandRunner.streamvaultPath, "serve", "--port", "0", "--storage", workspace.storage])
        try await open.serving { _ = try await Self.python(["ingest", open.url, "orders", file.path]) }
        let guarded = try await ServerProcess.start(
            [
                CommandRunner.streamvaultPath, "serve", "--port", "0", "--storage", workspace.storage, "--auth", "sigv4", "--access-keys", keys,
                "--read-only",
            ]
        )
        try await guarded.serving {
            let good = try await Self.python(["signed", guarded.url, "AKIDSTREAMVAULT1", "s3cret-one"]).lines
            #expect(good == ["dynamodbstreams ok", "kinesis ok"])
            let badSecret = try await Self.python(["signed", guarded.url, "AKIDSTREAMVAULT1", "wrong"]).lines
            #expect(badSecret == ["dynamodbstreams SignatureDoesNotMatch 403", "kinesis SignatureDoesNotMatch 403"])
            let unknown = try await Self.python(["signed", guarded.url, "AKIDUNKNOWN", "s3cret-one"]).lines
            #expect(unknown == ["dynamodbstreams UnrecognizedClientException 403", "kinesis UnrecognizedClientException 403"])
            let unsigned = try await CommandRunner.runAsync(
                "curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", guarded.url + "/ingest/orders", "-d", "{}"]
            )
            #expect(unsigned.stdoutText == "403")
            let health = try await CommandRunner.runAsync("curl", ["-s", guarded.url + "/healthz"])
            #expect(health.stdoutText == "ok\n")
        }
    }

    @Test func sigtermEndsTheServerCleanlyWithIngestCommitted() async throws {
        let workspace = try CLIWorkspace()
        let freePort = "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
        let port = try #require(
            Int(String(decoding: try await CommandRunner.python(freePort), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        )
        let server = try CommandRunner.start(
            try CommandRunner.streamvaultPath,
            ["serve", "--port", String(port), "--storage", workspace.storage]
        )
        let url = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<100 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = (try? await CommandRunner.runAsync("curl", ["-sf", url + "/healthz"]))?.status == 0
        }
        #expect(up)
        let file = try SampleFiles.perShard(in: workspace.directory.path, records: 150, shards: 1)[0]
        _ = try await Self.python(["ingest", url, "orders", file.path])
        server.kill(SIGTERM)
        let result = await server.finished()
        #expect(result.status == 0, "SIGTERM must end serve cleanly: \(result.stderr.suffix(2000))")
        #expect(result.stdoutText == url + "\n")
        #expect(try await workspace.okAsync(["replay", "--stream", "orders"]).lines.count == 150)
        #expect(try await workspace.okAsync(["verify"]).status == 0)
    }

    @Test func bindingBeyondLoopbackNeedsAuthOrAnExplicitOptOut() async throws {
        let workspace = try CLIWorkspace()
        let refused = try await workspace.runAsync(["serve", "--host", "0.0.0.0", "--port", "0"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--auth sigv4"))
        let noKeys = try await workspace.runAsync(["serve", "--auth", "sigv4"])
        #expect(noKeys.status != 0 && noKeys.stderr.contains("--access-keys"))
    }
}

/// `serve --archive`: the archiver and the server in one process, one ServiceGroup.
@Suite(.timeLimit(.minutes(3)))
struct ServeArchiveTests {
    static let poll = #"""
        import boto3, sys, time, urllib.request
        url = sys.argv[1]
        c = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        deadline = time.time() + 60
        while True:
            try:
                shards = c.list_shards(StreamName="orders-cdc")["Shards"]
                it = c.get_shard_iterator(StreamName="orders-cdc", ShardId=shards[0]["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                records = c.get_records(ShardIterator=it, Limit=100)["Records"]
                if len(records) == 5:
                    break
            except c.exceptions.ResourceNotFoundException:
                pass
            assert time.time() < deadline, "the archiver did not archive the 5 records in time"
            time.sleep(0.3)
        print(",".join(r["SequenceNumber"] for r in records))
        print(urllib.request.urlopen(url + "/metrics").read().decode())
        """#

    @Test func theArchiverRunsBesideTheServerAndWhatItArchivesIsServed() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            let server = try await ServerProcess.start(
                [
                    try CommandRunner.streamvaultPath, "serve", "--port", "0", "--storage", workspace.storage, "--archive",
                    "--kinesis-stream orders-cdc --once --endpoint-url \(endpoint)",
                ],
                environment: MotoServer.environment
            )
            try await server.serving {
                let output = String(decoding: try await CommandRunner.python(Self.poll, [server.url]), as: UTF8.self)
                let lines = output.split(separator: "\n").map(String.init)
                #expect(lines.first?.split(separator: ",").count == 5)
                #expect(output.contains("streamvault_archiver_records"), "the archiver's metrics are on the server's /metrics")
                #expect(output.contains(#"streamvault_api_requests_total{api="kinesis",operation="GetRecords",code="ok"}"#))
                #expect(output.contains("streamvault_api_request_duration_seconds_bucket"))
                #expect(output.contains(#"streamvault_archive_stored_bytes{stream="orders-cdc"}"#))
            }
        }
    }
}
