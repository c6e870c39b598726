import Foundation
import StreamVaultTesting
import Testing

/// `archive --segments` against moto's S3: uploads at shutdown, evicts, replays through ranged GETs; a second node syncs.
@Suite(.timeLimit(.minutes(3)))
struct ObjectStoreCommandTests {
    static let bucket = #"""
        import sys, boto3
        s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
        if sys.argv[2] == "create":
            s3.create_bucket(Bucket=sys.argv[3])
        else:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[3]):
                for item in page.get("Contents", []):
                    print(item["Key"])
        """#

    @Test func archiveUploadsEvictsAndAnotherNodeSyncsAndReplays() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            _ = try await MotoServer.python(Self.bucket, [endpoint, "create", "vault"])
            let writer = try CLIWorkspace()
            let archived = try await writer.runAsync(
                ["archive", "--table", "Orders", "--once", "--endpoint-url", endpoint, "--segments", "s3://vault/sv", "--local-cache-bytes", "0"],
                environment: MotoServer.environment
            )
            #expect(archived.status == 0, "\(archived.stderr)")
            #expect(archived.stdoutText.contains("archived 21 records"), "\(archived.stdoutText)")

            // Shutdown sealed the open segment and uploaded it with its index object; the local copy was evicted.
            let keys = String(decoding: try await MotoServer.python(Self.bucket, [endpoint, "list", "vault"]), as: UTF8.self)
                .split(separator: "\n").map(String.init)
            let segmentKeys = keys.filter { $0.hasPrefix("sv/Orders/segments/") && $0.hasSuffix(".ndjson.zst") }
            let indexKeys = keys.filter { $0.hasPrefix("sv/Orders/index/") && $0.hasSuffix(".json") }
            #expect(!segmentKeys.isEmpty)
            #expect(segmentKeys.count == indexKeys.count, "\(keys)")
            #expect(try writer.segments("Orders").isEmpty)

            // Replay on the writer node reads the evicted segments' blocks from the bucket.
            let replay = try await writer.okAsync(["replay", "--stream", "Orders"], environment: MotoServer.environment)
            #expect(replay.lines.count == 21)
            // So do history and export.
            let history = try await writer.okAsync(["history", "--stream", "Orders", "--key", "pk=order#5"], environment: MotoServer.environment)
            #expect(history.stdoutText.contains("order#5"), "\(history.stdoutText)")
            let out = writer.directory.file("export")
            try await writer.okAsync(
                ["export", "--stream", "Orders", "--from", "2020-01-01", "--to", "2040-01-01", "--out", out],
                environment: MotoServer.environment
            )
            let verify = try await writer.okAsync(["verify", "--deep"], environment: MotoServer.environment)
            #expect(verify.stdoutText.contains("OK"), "\(verify.stdoutText)")
            #expect(verify.stderr.contains("checked \(segmentKeys.count) bucket copies"), "\(verify.stderr)")

            // A node with an empty storage directory syncs from the bucket and replays the same records.
            let reader = try CLIWorkspace()
            let sync = ["catalog", "sync", "--segments", "s3://vault/sv", "--endpoint-url", endpoint]
            let synced = try await reader.okAsync(sync, environment: MotoServer.environment)
            #expect(synced.stderr.contains("\(segmentKeys.count) segments added"), "\(synced.stderr)")
            let replayed = try await reader.okAsync(["replay", "--stream", "Orders"])
            #expect(replayed.lines == replay.lines)
            #expect(try await reader.okAsync(["history", "--stream", "Orders", "--key", "pk=order#5"]).stdoutText == history.stdoutText)
            let again = try await reader.okAsync(sync, environment: MotoServer.environment)
            #expect(again.stderr.contains("0 segments added"), "\(again.stderr)")
        }
    }

    /// The long-running archiver seals at least every --seal-interval and uploads while it runs; SIGTERM seals and
    /// uploads what is open, so a node that syncs afterwards replays everything the archiver took.
    @Test func runningArchiverUploadsEverySealIntervalAndEverythingAtSIGTERM() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            _ = try await MotoServer.python(Self.bucket, [endpoint, "create", "vault"])
            let writer = try CLIWorkspace()
            let archiver = try CommandRunner.start(
                try CommandRunner.streamvaultPath,
                [
                    "archive", "--table", "Orders", "--poll-interval", "0.2", "--endpoint-url", endpoint, "--segments", "s3://vault/sv",
                    "--seal-interval", "2", "--storage", writer.storage,
                ],
                environment: MotoServer.environment
            )
            func indexObjects() async throws -> Int {
                String(decoding: try await MotoServer.python(Self.bucket, [endpoint, "list", "vault"]), as: UTF8.self)
                    .split(separator: "\n").filter { $0.hasPrefix("sv/Orders/index/") }.count
            }
            var uploaded = 0
            for _ in 0..<60 where uploaded == 0 {
                try await Task.sleep(for: .milliseconds(500))
                uploaded = try await indexObjects()
            }
            #expect(uploaded >= 1, "nothing was uploaded while the archiver ran")
            #expect(archiver.process.isRunning)

            let more = #"""
                import sys, boto3
                ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1])
                for i in range(100, 105):
                    ddb.put_item(TableName="Orders", Item={"pk": {"S": f"order#{i}"}, "total": {"N": "1"}})
                """#
            _ = try await MotoServer.python(more, [endpoint])
            try await Task.sleep(for: .seconds(1))
            archiver.kill(SIGTERM)
            let result = await archiver.finished()
            #expect(result.status == 0, "SIGTERM must end the archiver cleanly: \(result.stderr.suffix(2000))")

            let local = try await writer.okAsync(["replay", "--stream", "Orders"])
            #expect(local.lines.count == 26)
            let reader = try CLIWorkspace()
            try await reader.okAsync(
                ["catalog", "sync", "--segments", "s3://vault/sv", "--endpoint-url", endpoint],
                environment: MotoServer.environment
            )
            #expect(try await reader.okAsync(["replay", "--stream", "Orders"]).lines == local.lines)
        }
    }

    /// The bucket is unreachable at shutdown: the run fails saying so, nothing is marked uploaded, and the next run
    /// uploads what the first one sealed.
    @Test func segmentsSealedWhileTheBucketIsMissingGoUpOnTheNextRun() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            let writer = try CLIWorkspace()
            let archive = ["archive", "--table", "Orders", "--once", "--endpoint-url", endpoint, "--segments", "s3://vault/sv"]
            let failed = try await writer.runAsync(archive, environment: MotoServer.environment)
            #expect(failed.status != 0)
            #expect(failed.stderr.contains("vault") && failed.stderr.contains("next start"), "\(failed.stderr)")
            #expect(try writer.segments("Orders").count == 1)

            _ = try await MotoServer.python(Self.bucket, [endpoint, "create", "vault"])
            let again = try await writer.runAsync(archive, environment: MotoServer.environment)
            #expect(again.status == 0, "\(again.stderr)")
            let reader = try CLIWorkspace()
            let synced = try await reader.okAsync(
                ["catalog", "sync", "--segments", "s3://vault/sv", "--endpoint-url", endpoint],
                environment: MotoServer.environment
            )
            #expect(synced.stderr.contains("1 segments added"), "\(synced.stderr)")
            #expect(try await reader.okAsync(["replay", "--stream", "Orders"]).lines.count == 21)
        }
    }

    /// `serve --archive` has no uploader: a bucket there would collect sealed segments that never go up.
    @Test func serveRefusesAnArchiverWithABucket() async throws {
        let workspace = try CLIWorkspace()
        let result = try await workspace.runAsync(["serve", "--archive", "--table Orders --segments s3://vault/sv"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("serve does not upload to a bucket"), "\(result.stderr)")
    }

    @Test(arguments: [
        ["--segments", "vault/prefix"], ["--segments", "s3://Bad_Bucket/x"], ["--local-cache-bytes", "100"],
        ["--segments", "s3://vault/x", "--seal-interval", "0"],
    ])
    func rejectsBadBucketOptionsWithUsageStatus(_ extra: [String]) async throws {
        let workspace = try CLIWorkspace()
        let result = try await workspace.runAsync(["archive", "--table", "Orders", "--once"] + extra)
        #expect(result.status == 64, "\(result.stderr)")
    }
}
