import Foundation
import StreamVaultTesting
import Testing

/// moto's server for the CLI tests (tools/moto_server.py), stopped when the test ends.
final class MotoProcess {
    let process = Process()
    let endpoint: String
    private let input = Pipe()

    init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CommandRunner.packageRoot + "/tools/moto_server.py", "--exit-on-stdin-close"]
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        endpoint = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard endpoint.hasPrefix("http") else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "moto did not start (python3 -m pip install \"moto[server]\")"])
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Dummy credentials for the children, never the developer's own.
    var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        ]
    }

    func python(_ script: String, _ arguments: [String]) throws {
        let result = try CommandRunner.run("python3", ["-c", script] + arguments, environment: environment)
        #expect(result.status == 0, "python helper failed: \(result.stderr.suffix(1500))")
    }
}

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

    @Test func archiveOnceThenReplayAndList() throws {
        let moto = try MotoProcess()
        try moto.python(Self.setup, [moto.endpoint, "table", "Orders"])
        let workspace = try CLIWorkspace()
        let archived = try CommandRunner.streamvault(
            ["archive", "--table", "Orders", "--once", "--endpoint-url", moto.endpoint, "--storage", workspace.storage],
            environment: moto.environment
        )
        #expect(archived.status == 0, "\(archived.stderr)")
        #expect(archived.stdoutText.contains("archived 21 records"), "\(archived.stdoutText)")

        let again = try CommandRunner.streamvault(
            ["archive", "--table", "Orders", "--once", "--endpoint-url", moto.endpoint, "--storage", workspace.storage],
            environment: moto.environment
        )
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdoutText.contains("archived 0 records"), "\(again.stdoutText)")

        let replay = try workspace.ok(["replay", "--stream", "Orders"])
        #expect(replay.lines.count == 21)
        #expect(replay.lines.last?.contains("REMOVE") == true)
        let list = try workspace.ok(["ls"])
        #expect(list.stdoutText.contains("Orders"))
    }

    @Test func archivesKinesisAndReplaysATimeWindow() throws {
        let moto = try MotoProcess()
        try moto.python(Self.setup, [moto.endpoint, "kinesis", "orders-cdc"])
        let workspace = try CLIWorkspace()
        let archived = try CommandRunner.streamvault(
            ["archive", "--kinesis-stream", "orders-cdc", "--once", "--endpoint-url", moto.endpoint, "--storage", workspace.storage],
            environment: moto.environment
        )
        #expect(archived.status == 0, "\(archived.stderr)")
        #expect(archived.stdoutText.contains("archived 5 records"), "\(archived.stdoutText)")
        let window = try workspace.ok(["replay", "--stream", "orders-cdc", "--from", "2026-01-01T00:00:01Z", "--to", "2026-01-01T00:00:03Z"])
        #expect(window.lines.count == 2)
        #expect(window.lines.allSatisfy { $0.contains(#""PartitionKey""#) && $0.contains(#""SequenceNumber""#) })
    }

    @Test func missingTableExitsNonZeroWithAClearMessage() throws {
        let moto = try MotoProcess()
        let workspace = try CLIWorkspace()
        let result = try CommandRunner.streamvault(
            ["archive", "--table", "Nope", "--once", "--endpoint-url", moto.endpoint, "--storage", workspace.storage],
            environment: moto.environment
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("Nope"), "\(result.stderr)")
        #expect(result.stderr.contains("--region"), "\(result.stderr)")
    }

    @Test func validatesItsOptions() throws {
        let workspace = try CLIWorkspace()
        #expect(try workspace.run(["archive"]).status == 64)
        #expect(try workspace.run(["archive", "--table", "A", "--kinesis-stream", "B"]).status == 64)
        #expect(try workspace.run(["archive", "--table", "A", "--start-at", "2026-01-01T00:00:00Z"]).status == 64)
        let help = try CommandRunner.streamvault(["archive", "--help"])
        #expect(help.stdoutText.contains("dynamodb:GetRecords"))
        #expect(help.stdoutText.contains("kinesis:ListShards"))
    }
}

@Suite(.timeLimit(.minutes(2)))
struct ArchiveServiceTests {
    /// The long-running archiver: serves its metrics while it polls, and SIGTERM makes it commit and exit 0.
    @Test func servesMetricsWhileRunningAndStopsCleanlyOnSIGTERM() throws {
        let moto = try MotoProcess()
        try moto.python(ArchiveCommandTests.setup, [moto.endpoint, "table", "Orders"])
        let workspace = try CLIWorkspace()
        let port = try #require(
            Int(
                try CommandRunner.run("python3", ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]).lines
                    .first ?? ""
            )
        )
        var environment = moto.environment
        environment["AWS_ENDPOINT_URL"] = moto.endpoint
        let archiver = try CommandRunner.start(
            try CommandRunner.streamvaultPath,
            ["archive", "--table", "Orders", "--metrics-port", String(port), "--poll-interval", "0.2", "--storage", workspace.storage],
            environment: environment
        )
        let scrape = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())"
        var metrics = ""
        let archivedAll = #"streamvault_archiver_records{stream="Orders"} 21"#
        for _ in 0..<100 where !metrics.contains(archivedAll) {
            usleep(200_000)
            metrics = (try? CommandRunner.run("python3", ["-c", scrape, "http://127.0.0.1:\(port)/metrics"]).stdoutText) ?? ""
        }
        #expect(metrics.contains(archivedAll), "metrics: \(metrics.prefix(2000))")
        #expect(metrics.contains(#"streamvault_archiver_lag{stream="Orders",shard=""#))
        archiver.kill(SIGTERM)
        let result = try archiver.wait()
        #expect(result.status == 0, "SIGTERM must end the archiver cleanly: \(result.stderr.suffix(2000))")
        #expect(try workspace.ok(["replay", "--stream", "Orders"]).lines.count == 21)
    }
}
