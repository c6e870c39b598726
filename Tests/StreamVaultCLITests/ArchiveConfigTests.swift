import Foundation
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ArchiveConfigTests {
    /// A config file, the part of the message it must produce, and the file named in it.
    struct BadConfig: CustomTestStringConvertible, Sendable {
        let json: String
        let message: String
        var testDescription: String { message }
    }

    static let badConfigs: [BadConfig] = [
        .init(json: #"{"streams": [{"table": 5}]}"#, message: "archiver.json: streams[0].table: expected a string, got 5"),
        .init(
            json: #"{"streams": [{"table": "A"}, {"tabel": "B"}]}"#,
            message: "archiver.json: streams[1].tabel: unknown key; expected one of table,"
        ),
        .init(json: #"{"streamz": [{"table": "A"}]}"#, message: "archiver.json: streamz: unknown key"),
        .init(json: #"{"region": "us-east-1"}"#, message: "archiver.json: streams: missing; expected an array of streams"),
        .init(json: #"{"streams": []}"#, message: "archiver.json: streams: expected a non-empty array of streams, got an array"),
        .init(json: #"{"streams": {"table": "A"}}"#, message: "archiver.json: streams: expected a non-empty array of streams, got an object"),
        .init(json: #"{"streams": ["A"]}"#, message: "archiver.json: streams[0]: expected an object, got a string"),
        .init(
            json: #"{"streams": [{"table": "A"}, {"table": "B"}, {"table": "C", "poll-interval": 0}]}"#,
            message: "archiver.json: streams[2].poll-interval: expected a number of seconds above 0 and at most 300, got 0"
        ),
        .init(
            json: #"{"streams": [{"table": "A", "max-shard-readers": 2.5}]}"#,
            message: "archiver.json: streams[0].max-shard-readers: expected a whole number from 1 to 1000, got 2.5"
        ),
        .init(
            json: #"{"streams": [{"table": "A", "records-per-call": 10001}]}"#,
            message: "archiver.json: streams[0].records-per-call: expected a whole number from 1 to 10000, got 10001"
        ),
        .init(json: #"{"streams": [{"table": "A", "once": "yes"}]}"#, message: #"archiver.json: streams[0].once: expected true or false, got "yes""#),
        .init(json: #"{"streams": [{"table": ""}]}"#, message: "archiver.json: streams[0].table: expected a string, got an empty string"),
        .init(json: #"{"once": 1, "streams": [{"table": "A"}]}"#, message: "archiver.json: once: expected true or false, got 1"),
        .init(
            json: #"{"metrics-port": 70000, "streams": [{"table": "A"}]}"#,
            message: "archiver.json: metrics-port: expected a whole number from 0 to 65535, got 70000"
        ),
        .init(
            json: #"{"metrics-host": "0.0.0.0", "streams": [{"table": "A"}]}"#,
            message: #"archiver.json: metrics-host: needs "metrics-port""#
        ),
        .init(
            json: #"{"streams": [{"table": "Orders"}, {"kinesis-stream": "Orders"}]}"#,
            message: "archiver.json: streams[1]: writes the archive stream 'Orders' like streams[0]"
        ),
        .init(
            json: #"{"streams": [{"table": "A", "stream": "x"}, {"table": "B", "stream": "x"}]}"#,
            message: "archiver.json: streams[1]: writes the archive stream 'x' like streams[0]"
        ),
        .init(
            json: #"{"streams": [{"region": "us-east-1"}]}"#,
            message: "archiver.json: streams[0]: Pass exactly one of --table, --stream-arn or --kinesis-stream"
        ),
        .init(json: #"{"streams": [{"table": "A", "kinesis-stream": "B"}]}"#, message: "archiver.json: streams[0]: Pass exactly one of"),
        .init(
            json: #"{"streams": [{"table": "A", "start-at": "2026-01-01T00:00:00Z"}]}"#,
            message: "archiver.json: streams[0]: --start-at works with --kinesis-stream only"
        ),
        .init(
            json: #"{"streams": [{"kinesis-stream": "A", "start-at": "yesterday"}]}"#,
            message: "archiver.json: streams[0]: --start-at 'yesterday' is not a time"
        ),
        .init(
            json: #"{"streams": [{"table": "arn:aws:kinesis:us-east-1:123456789012:stream/cdc"}]}"#,
            message: "archiver.json: streams[0]: --table 'arn:aws:kinesis:us-east-1:123456789012:stream/cdc' is the ARN of a Kinesis stream"
        ),
        .init(
            json: #"{"retry": {"initial-seconds": 2, "max-seconds": 1}, "streams": [{"table": "A"}]}"#,
            message: "archiver.json: retry.max-seconds: expected at least retry.initial-seconds (2), got 1"
        ),
        .init(json: #"{"retry": {"initial": 2}, "streams": [{"table": "A"}]}"#, message: "archiver.json: retry.initial: unknown key"),
        .init(json: #"{"streams": [{"table": "A"}"#, message: "archiver.json: not valid JSON"),
        .init(json: #"[{"table": "A"}]"#, message: "archiver.json: (top level): expected an object with \"streams\", got an array"),
    ]

    /// Every config error names the file, the JSON path and what was expected, and exits with the usage status.
    @Test(arguments: badConfigs)
    func rejectsABadConfigNamingTheFileThePathAndWhatWasExpected(_ config: BadConfig) async throws {
        let workspace = try CLIWorkspace()
        let path = try workspace.write("archiver.json", [config.json])
        let result = try await workspace.runAsync(["archive", "--config", path])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(config.message), "\(result.stderr)")
    }

    @Test(arguments: [
        (["--table", "A"], "--table cannot be given"),
        (["--once", "--poll-interval", "2"], "--once, --poll-interval cannot be given"),
        (["--metrics-port", "9464"], #"put it in the file (as "metrics-port""#),
    ])
    func rejectsSingleStreamOptionsBesideConfig(_ options: [String], message: String) async throws {
        let workspace = try CLIWorkspace()
        let path = try workspace.write("archiver.json", [#"{"streams": [{"table": "A"}]}"#])
        let result = try await workspace.runAsync(["archive", "--config", path] + options)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// An AWS profile that cannot be resolved is a configuration error naming the entry; `serve --archive '--config FILE'`
    /// refuses a metrics port of its own (the server has /metrics).
    @Test func anUnknownProfileNamesItsEntryAndServeRefusesAMetricsPortOfItsOwn() async throws {
        let workspace = try CLIWorkspace()
        let path = try workspace.write(
            "archiver.json",
            [#"{"region": "us-east-1", "streams": [{"table": "A"}, {"table": "B", "profile": "no-such-profile"}]}"#]
        )
        let environment = MotoServer.environment.merging(["AWS_CONFIG_FILE": path + ".none", "AWS_SHARED_CREDENTIALS_FILE": path + ".none"]) { $1 }
        let result = try await workspace.runAsync(["archive", "--config", path], environment: environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("archiver.json: streams[1]: ") && result.stderr.contains("no-such-profile"), "\(result.stderr)")

        let withPort = try workspace.write("metrics.json", [#"{"metrics-port": 9464, "streams": [{"table": "A"}]}"#])
        let serve = try await workspace.runAsync(["serve", "--archive", "--config \(withPort)"])
        #expect(serve.status == 64, "\(serve.stderr)")
        #expect(serve.stderr.contains("metrics.json: metrics-port: the server serves the archivers' metrics at its own /metrics"), "\(serve.stderr)")
    }

    /// Three streams in one process, one of them a table that does not exist yet: the other two are archived exactly,
    /// the broken one is down in /metrics with failures counted no faster than the back-off allows, and it recovers
    /// once the table is created, without a restart. SIGTERM then stops everything with status 0.
    @Test func archivesThreeStreamsWhileOneIsBrokenAndRecoversIt() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            let port = try await Self.freePort()
            let config = try workspace.write(
                "archiver.json",
                [
                    """
                    {
                      "endpoint-url": "\(endpoint)",
                      "poll-interval": 0.2,
                      "metrics-port": \(port), "metrics-host": "127.0.0.1",
                      "retry": {"initial-seconds": 0.2, "max-seconds": 1.6},
                      "streams": [
                        {"table": "Orders"},
                        {"kinesis-stream": "orders-cdc", "stream": "cdc", "max-shard-readers": 2, "records-per-call": 3},
                        {"table": "Customers", "region": "us-east-1"}
                      ]
                    }
                    """
                ]
            )
            let started = ContinuousClock.now
            let archiver = try CommandRunner.start(
                try CommandRunner.streamvaultPath,
                ["archive", "--config", config, "--storage", workspace.storage, "--log-level", "info"],
                environment: MotoServer.environment
            )
            defer { if archiver.process.isRunning { archiver.kill() } }

            // The good streams are archived while Customers fails.
            var metrics = try await Self.scrape(
                port,
                until: [
                    #"streamvault_archiver_records{stream="Orders"} 21"#, #"streamvault_archiver_records{stream="cdc"} 5"#,
                    #"streamvault_archiver_stream_up{stream="Customers"} 0"#,
                ],
                atLeast: [#"streamvault_archiver_stream_failures{stream="Customers"}"#: 2]
            )
            let elapsed = started.duration(to: .now)
            let early = try #require(Self.value(#"streamvault_archiver_stream_failures{stream="Customers"}"#, in: metrics))
            #expect(early >= 2, "\(metrics)")
            let allowed = Self.mostFailures(after: 0, within: elapsed)
            #expect(early <= Double(allowed), "\(early) failures in \(elapsed) is faster than the back-off allows (\(allowed))")
            #expect(metrics.contains(#"streamvault_archiver_stream_up{stream="Orders"} 1"#))
            #expect(metrics.contains(#"streamvault_archiver_stream_up{stream="cdc"} 1"#))

            // Waits grow: a second look a while later counts only as many more failures as the longer waits allow. The
            // window starts before the first look's scrape is sent (a scrape is a Python process, slow on a busy
            // machine): its count is read after the window opens, the second look's before it closes.
            let firstLook = ContinuousClock.now
            metrics = try await Self.scrape(port, until: [#"streamvault_archiver_stream_up{stream="Customers"} 0"#])
            let failures = try #require(Self.value(#"streamvault_archiver_stream_failures{stream="Customers"}"#, in: metrics))
            try await Task.sleep(for: .seconds(3))
            metrics = try await Self.scrape(port, until: [#"streamvault_archiver_stream_up{stream="Customers"} 0"#])
            let between = firstLook.duration(to: .now)
            let later = try #require(Self.value(#"streamvault_archiver_stream_failures{stream="Customers"}"#, in: metrics))
            let more = Self.mostFailures(after: Int(failures), within: between)
            #expect(later > failures && later <= failures + Double(more), "\(failures) -> \(later) in \(between): at most \(more) more")

            // Fixed without a restart.
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Customers"])
            metrics = try await Self.scrape(
                port,
                until: [
                    #"streamvault_archiver_records{stream="Customers"} 21"#, #"streamvault_archiver_stream_up{stream="Customers"} 1"#,
                ]
            )

            archiver.kill(SIGTERM)
            let result = await archiver.finished()
            #expect(result.status == 0, "SIGTERM must stop every stream cleanly: \(result.stderr.suffix(3000))")
            #expect(result.stderr.contains("error"), "\(result.stderr.suffix(3000))")
            let failureLines = result.stderr.split(separator: "\n").filter { $0.contains("Archiving the stream failed") }
            #expect(failureLines.count >= Int(later), "\(result.stderr.suffix(3000))")
            #expect(failureLines.allSatisfy { $0.contains("sv.stream=Customers") && $0.contains("sv.aws.error=resourceNotFound") }, "\(failureLines)")

            let orders = try await workspace.okAsync(["replay", "--stream", "Orders"]).lines
            let expectedOrders = (0..<20).map { "INSERT order#\($0)" } + ["REMOVE order#0"]
            #expect(orders.map(Self.tableChange) == expectedOrders)
            let customers = try await workspace.okAsync(["replay", "--stream", "Customers"]).lines
            #expect(customers.map(Self.tableChange) == expectedOrders)
            let cdc = try await workspace.okAsync(["replay", "--stream", "cdc"]).lines
            #expect(cdc.map(Self.partitionKey) == (0..<5).map { "k\($0)" })
        }
    }

    /// A stream whose writer lock another process holds, and one whose endpoint refuses connections: both are down and
    /// retried while the third is archived; the locked one recovers once the other process exits, and SIGTERM stops
    /// the process (status 0) while the unreachable one is still backing off.
    @Test func aLockedStreamAndAnUnreachableEndpointDoNotStopTheOthers() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            let dead = try DeadEndpoint(.refusesConnections)
            let (holderPort, port) = (try await Self.freePort(), try await Self.freePort())
            let holder = try CommandRunner.start(
                try CommandRunner.streamvaultPath,
                [
                    "archive", "--table", "Orders", "--endpoint-url", endpoint, "--poll-interval", "0.2", "--metrics-port", String(holderPort),
                    "--storage", workspace.storage,
                ],
                environment: MotoServer.environment
            )
            defer { if holder.process.isRunning { holder.kill() } }
            _ = try await Self.scrape(holderPort, until: [#"streamvault_archiver_records{stream="Orders"} 21"#])

            let config = try workspace.write(
                "archiver.json",
                [
                    """
                    {
                      "endpoint-url": "\(endpoint)", "poll-interval": 0.2, "metrics-port": \(port),
                      "retry": {"initial-seconds": 0.2, "max-seconds": 1},
                      "streams": [
                        {"table": "Orders"},
                        {"kinesis-stream": "orders-cdc"},
                        {"table": "Orders", "stream": "down", "endpoint-url": "http://127.0.0.1:\(dead.port)"}
                      ]
                    }
                    """
                ]
            )
            let archiver = try CommandRunner.start(
                try CommandRunner.streamvaultPath,
                ["archive", "--config", config, "--storage", workspace.storage],
                environment: MotoServer.environment
            )
            defer { if archiver.process.isRunning { archiver.kill() } }
            let metrics = try await Self.scrape(
                port,
                until: [
                    #"streamvault_archiver_records{stream="orders-cdc"} 5"#, #"streamvault_archiver_stream_up{stream="Orders"} 0"#,
                    #"streamvault_archiver_stream_up{stream="down"} 0"#,
                ],
                atLeast: [#"streamvault_archiver_stream_failures{stream="down"}"#: 1, #"streamvault_archiver_stream_failures{stream="Orders"}"#: 1]
            )
            #expect(metrics.contains(#"streamvault_archiver_stream_up{stream="orders-cdc"} 1"#), "\(metrics)")

            holder.kill(SIGTERM)
            #expect(await holder.finished().status == 0)
            _ = try await Self.scrape(port, until: [#"streamvault_archiver_stream_up{stream="Orders"} 1"#])

            let stopping = ContinuousClock.now
            archiver.kill(SIGTERM)
            let result = await archiver.finished()
            #expect(result.status == 0, "\(result.stderr.suffix(3000))")
            #expect(stopping.duration(to: .now) < .seconds(8), "SIGTERM during a back-off must not wait it out")
            let lines = result.stderr.split(separator: "\n").filter { $0.contains("Archiving the stream failed") }
            #expect(lines.contains { $0.contains("sv.stream=Orders") && $0.contains("locked") }, "\(lines)")
            #expect(lines.contains { $0.contains("sv.stream=down") && $0.contains("sv.aws.error=connection") }, "\(lines)")
            #expect(!lines.contains { $0.contains("sv.stream=orders-cdc") }, "\(lines)")
            #expect(try await workspace.okAsync(["replay", "--stream", "Orders"]).lines.count == 21)
        }
    }

    /// `serve --archive '--config FILE'`: the server and every stream's archiver in one process, one /metrics.
    @Test func serveRunsEveryStreamOfAConfigBesideTheServer() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            let config = try workspace.write(
                "archiver.json",
                [
                    #"{"endpoint-url": "\#(endpoint)", "poll-interval": 0.2, "retry": {"initial-seconds": 0.2, "max-seconds": 1}, "#
                        + #""streams": [{"table": "Orders"}, {"kinesis-stream": "orders-cdc", "once": true}, {"table": "Missing"}]}"#
                ]
            )
            let server = try await ServerProcess.start(
                [try CommandRunner.streamvaultPath, "serve", "--port", "0", "--storage", workspace.storage, "--archive", "--config \(config)"],
                environment: MotoServer.environment
            )
            try await server.serving {
                let port = try #require(Int(server.url.split(separator: ":").last ?? ""))
                _ = try await Self.scrape(
                    port,
                    until: [#"streamvault_archiver_records{stream="Orders"} 21"#, #"streamvault_archiver_records{stream="orders-cdc"} 5"#],
                    atLeast: [#"streamvault_archiver_stream_failures{stream="Missing"}"#: 2]
                )
            }
        }
    }

    /// `--once` in the file: each stream drains what is readable and the process exits; a broken one is reported and fails the run.
    @Test func onceDrainsEveryStreamAndReportsABrokenOne() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "table", "Orders"])
            _ = try await MotoServer.python(ArchiveCommandTests.setup, [endpoint, "kinesis", "orders-cdc"])
            let workspace = try CLIWorkspace()
            let good = try workspace.write(
                "good.json",
                [#"{"once": true, "endpoint-url": "\#(endpoint)", "streams": [{"table": "Orders"}, {"kinesis-stream": "orders-cdc"}]}"#]
            )
            let archived = try await workspace.runAsync(["archive", "--config", good], environment: MotoServer.environment)
            #expect(archived.status == 0, "\(archived.stderr)")
            #expect(archived.stdoutText.contains("archived 21 records (") && archived.stdoutText.contains("into 'Orders'"), "\(archived.stdoutText)")
            #expect(archived.stdoutText.contains("archived 5 records ("), "\(archived.stdoutText)")

            let broken = try workspace.write(
                "broken.json",
                [#"{"endpoint-url": "\#(endpoint)", "streams": [{"table": "Orders", "once": true}, {"table": "Nope", "once": true}]}"#]
            )
            let result = try await workspace.runAsync(["archive", "--config", broken], environment: MotoServer.environment)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stdoutText.contains("archived 0 records"), "\(result.stdoutText)")
            #expect(result.stderr.contains("'Nope'") && result.stderr.contains("not retried, since every stream runs once"), "\(result.stderr)")
        }
    }

    /// The most failures the config's back-off (0.2 s doubling to 1.6 s, equal jitter: failure k is followed by a wait
    /// of at least half of its ceiling) allows within `window` after failure `after` was seen: the next may come at once,
    /// each further one only after the wait that follows its predecessor.
    static func mostFailures(after: Int, within window: Duration) -> Int {
        var count = 1
        var waited = Duration.zero
        while true {
            let predecessor = after + count
            let wait = Duration.milliseconds(min(200 << min(predecessor - 1, 10), 1600)) / 2
            guard waited + wait <= window else { return count }
            waited += wait
            count += 1
        }
    }

    /// `INSERT order#3` for a DynamoDB Streams record.
    static func tableChange(_ line: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let name = object["eventName"] as? String,
            let keys = (object["dynamodb"] as? [String: Any])?["Keys"] as? [String: Any],
            let key = (keys["pk"] as? [String: Any])?["S"] as? String
        else { return "unreadable: \(line)" }
        return "\(name) \(key)"
    }

    /// The PartitionKey of a Kinesis record.
    static func partitionKey(_ line: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?["PartitionKey"] as? String ?? "unreadable: \(line)"
    }

    static func freePort() async throws -> Int {
        let freePort = "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
        return try #require(
            Int(String(decoding: try await CommandRunner.python(freePort), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        )
    }

    /// Scrapes /metrics every 200 ms until it contains every line of `wanted` and every sample of `atLeast` has at
    /// least its value (or 60 s pass); returns the last scrape.
    static func scrape(_ port: Int, until wanted: [String], atLeast: [String: Double] = [:]) async throws -> String {
        let scrape = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())"
        var metrics = ""
        func missing() -> [String] {
            wanted.filter { !metrics.contains($0) }
                + atLeast.filter { (value($0.key, in: metrics) ?? -1) < $0.value }.map { "\($0.key) >= \($0.value)" }
        }
        for _ in 0..<300 {
            let scraped = try? await CommandRunner.python(scrape, ["http://127.0.0.1:\(port)/metrics"])
            metrics = scraped.map { String(decoding: $0, as: UTF8.self) } ?? ""
            if missing().isEmpty { return metrics }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("metrics never showed \(missing()): \(metrics.prefix(3000))")
        return metrics
    }

    /// The value of a sample line of the Prometheus text.
    static func value(_ sample: String, in metrics: String) -> Double? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }
}
