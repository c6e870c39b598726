import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ArchiveCommandTests {
    static let setup = #"""
        import json, sys, boto3
        endpoint, kind, name = sys.argv[1], sys.argv[2], sys.argv[3]
        if kind == "table":
            ddb = boto3.client("dynamodb", endpoint_url=endpoint)
            ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
            for i in range(20):
                ddb.put_item(TableName=name, Item={"pk": {"S": f"order#{i}"}, "total": {"N": f"{i}.50"}})
            ddb.delete_item(TableName=name, Key={"pk": {"S": "order#0"}})
        else:
            kinesis = boto3.client("kinesis", endpoint_url=endpoint)
            kinesis.create_stream(StreamName=name, ShardCount=1)
            for i in range(5):
                payload = {"awsRegion": "us-east-1", "eventID": f"event-{i}", "eventName": "INSERT", "recordFormat": "application/json",
                           "tableName": "orders", "eventSource": "aws:dynamodb",
                           "dynamodb": {"ApproximateCreationDateTime": 1767225600000 + i * 1000, "Keys": {"pk": {"S": f"k{i}"}},
                                        "NewImage": {"pk": {"S": f"k{i}"}}, "SizeBytes": 10}}
                kinesis.put_record(StreamName=name, Data=json.dumps(payload).encode(), PartitionKey=f"k{i}")
        """#

    @Test func archiveOnceThenReplayAndList() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(Self.setup, [endpoint, "table", "Orders"])
            let workspace = try CLIWorkspace()
            let archive = ["archive", "--table", "Orders", "--once", "--endpoint-url", endpoint]
            let archived = try await workspace.runAsync(archive, environment: MotoServer.environment)
            #expect(archived.status == 0, "\(archived.stderr)")
            #expect(archived.stdoutText.contains("archived 21 records"), "\(archived.stdoutText)")

            let again = try await workspace.runAsync(archive, environment: MotoServer.environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdoutText.contains("archived 0 records"), "\(again.stdoutText)")

            let replay = try await workspace.okAsync(["replay", "--stream", "Orders"])
            #expect(replay.lines.count == 21)
            #expect(replay.lines.last?.contains("REMOVE") == true)
            let list = try await workspace.okAsync(["ls"])
            #expect(list.stdoutText.contains("Orders"))
        }
    }

    @Test func archivesKinesisAndReplaysATimeWindow() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(Self.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            let archived = try await workspace.runAsync(
                ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", endpoint],
                environment: MotoServer.environment
            )
            #expect(archived.status == 0, "\(archived.stderr)")
            #expect(archived.stdoutText.contains("archived 5 records"), "\(archived.stdoutText)")
            let window = try await workspace.okAsync([
                "replay", "--stream", "orders-cdc", "--from", "2026-01-01T00:00:01Z", "--to", "2026-01-01T00:00:03Z",
            ])
            #expect(window.lines.count == 2)
            #expect(window.lines.allSatisfy { $0.contains(#""PartitionKey""#) && $0.contains(#""SequenceNumber""#) })
        }
    }

    @Test func missingTableExitsNonZeroWithAClearMessage() async throws {
        try await MotoServer.with { endpoint in
            let workspace = try CLIWorkspace()
            let result = try await workspace.runAsync(
                ["archive", "--table", "Nope", "--once", "--endpoint-url", endpoint],
                environment: MotoServer.environment
            )
            #expect(result.status != 0)
            #expect(result.stderr.contains("Nope"), "\(result.stderr)")
            #expect(result.stderr.contains("--region"), "\(result.stderr)")
        }
    }

    @Test(arguments: [
        ["archive"],
        ["archive", "--table", "A", "--kinesis-stream", "B"],
        ["archive", "--table", "A", "--start-at", "2026-01-01T00:00:00Z"],
    ])
    func rejectsConflictingOrMissingOptionsWithUsageStatus(_ arguments: [String]) async throws {
        let workspace = try CLIWorkspace()
        let result = try await workspace.runAsync(arguments)
        #expect(result.status == 64, "\(result.stderr)")
    }

    @Test func helpListsTheIAMPermissionsItNeeds() async throws {
        let help = try await CommandRunner.streamvaultAsync(["archive", "--help"])
        #expect(help.stdoutText.contains("dynamodb:GetRecords"))
        #expect(help.stdoutText.contains("kinesis:ListShards"))
    }
}

@Suite(.timeLimit(.minutes(2)))
struct ArchiveServiceTests {
    /// The long-running archiver: serves its metrics while it polls, and SIGTERM makes it commit and exit 0.
    @Test func servesMetricsWhileRunningAndStopsCleanlyOnSIGTERM() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            let workspace = try CLIWorkspace()
            let freePort = "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
            let port = try #require(
                Int(String(decoding: try await CommandRunner.python(freePort), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            )
            var environment = MotoServer.environment
            environment["AWS_ENDPOINT_URL"] = endpoint
            let archiver = try CommandRunner.start(
                try CommandRunner.streamvaultPath,
                ["archive", "--table", "Orders", "--metrics-port", String(port), "--poll-interval", "0.2", "--storage", workspace.storage],
                environment: environment
            )
            let scrape = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())"
            var metrics = ""
            let archivedAll = #"streamvault_archiver_records{stream="Orders"} 21"#
            for _ in 0..<100 where !metrics.contains(archivedAll) {
                try await Task.sleep(for: .milliseconds(200))
                let scraped = try? await CommandRunner.python(scrape, ["http://127.0.0.1:\(port)/metrics"])
                metrics = scraped.map { String(decoding: $0, as: UTF8.self) } ?? ""
            }
            #expect(metrics.contains(archivedAll), "metrics: \(metrics.prefix(2000))")
            #expect(metrics.contains(#"streamvault_archiver_lag{stream="Orders",shard=""#))
            archiver.kill(SIGTERM)
            let result = await archiver.finished()
            #expect(result.status == 0, "SIGTERM must end the archiver cleanly: \(result.stderr.suffix(2000))")
            #expect(try await workspace.okAsync(["replay", "--stream", "Orders"]).lines.count == 21)
        }
    }
}
