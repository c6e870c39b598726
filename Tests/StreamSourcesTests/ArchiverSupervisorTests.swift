import AWSCore
import ArchiveStore
import Foundation
import Logging
import MetricsTestKit
import ServiceLifecycle
import StreamSources
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ArchiverSupervisorTests {
    /// The wait ceiling doubles from `initial` per failure in a row, up to `maximum`; jitter takes between half and all of it.
    @Test(arguments: [(1, 1.0), (2, 2), (3, 4), (5, 16), (9, 256), (10, 300), (11, 300), (200, 300)])
    func backoffDoublesUpToItsCapWithJitterInTheUpperHalf(failures: Int, ceilingSeconds: Double) {
        let backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(300))
        let ceiling = Duration.milliseconds(Int64(ceilingSeconds * 1000))
        #expect(backoff.ceiling(afterFailures: failures) == ceiling)
        #expect(backoff.delay(afterFailures: failures, jitter: 0) == ceiling / 2)
        #expect(backoff.delay(afterFailures: failures, jitter: 1) == ceiling)
        let middle = backoff.delay(afterFailures: failures, jitter: 0.5)
        #expect(middle > ceiling / 2 && middle < ceiling)
    }

    /// Two tables, one of them missing: the good one is archived while the missing one fails, shows as down, counts
    /// its failures and is retried with growing waits; once the table exists it recovers in the same supervisor.
    @Test func aMissingTableIsBackedOffWhileTheOtherIsArchivedAndRecoversOnceCreated() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiverScripts.boto, ["table", endpoint, "orders"])
            _ = try await MotoServer.python(ArchiverScripts.boto, ["changes", endpoint, "orders", "first"])
            let aws = try LocalAWS(endpoint)
            let storage = try TemporaryDirectory("supervisor")
            let layout = StorageLayout(root: storage.path)
            let catalog = try Catalog(path: layout.catalogPath)
            let metrics = TestMetrics()
            let clock = TestClock()
            let backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(40))
            let failures = Reported<[Int]>()
            let reading = Reported<[String]>()
            func archiver(_ table: String) -> ArchiverService {
                ArchiverService(
                    source: .dynamoDBTable(table, dynamoDB: aws.dynamoDB, streams: aws.streams),
                    configuration: ArchiverConfiguration(streamName: table, pollInterval: .milliseconds(50), retriesOutagesInRun: false),
                    layout: layout,
                    catalog: catalog,
                    metrics: ArchiverMetrics(stream: table, factory: metrics),
                    events: { event in
                        switch event {
                        case .reading: reading.append(table)
                        case .runFailed(_, let count, _) where table == "customers": failures.append(count)
                        default: break
                        }
                    }
                )
            }
            let supervisor = ArchiverSupervisor(
                archivers: [archiver("orders"), archiver("customers")],
                backoff: backoff,
                clock: clock,
                jitter: { 0.5 }
            )
            let group = ServiceGroup(services: [supervisor], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await waitUntil {
                    (failures.current ?? []).count >= 8 && (try? archivedRecords(storage: storage.path, stream: "orders").count) == 5
                }
                try #expect(metrics.expectGauge("streamvault.archiver.stream_up", [("stream", "customers")]).lastValue == 0)
                try #expect(metrics.expectGauge("streamvault.archiver.stream_up", [("stream", "orders")]).lastValue == 1)

                _ = try await MotoServer.python(ArchiverScripts.boto, ["table", endpoint, "customers"])
                _ = try await MotoServer.python(ArchiverScripts.boto, ["changes", endpoint, "customers", "late"])
                try await waitUntil { (try? archivedRecords(storage: storage.path, stream: "customers").count) == 5 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let counts = try #require(failures.current)
            #expect(counts == Array(1...counts.count), "failures in a row, never reset before the table existed")
            // Every wait of the supervisor's clock is the back-off of that failure: growing, then capped.
            #expect(clock.sleeps == counts.map { backoff.delay(afterFailures: $0, jitter: 0.5) })
            #expect(clock.sleeps.prefix(3) == [.milliseconds(750), .milliseconds(1500), .milliseconds(3000)])
            #expect(reading.current?.filter { $0 == "customers" }.count == 1)
            try #expect(metrics.expectCounter("streamvault.archiver.stream_failures", [("stream", "customers")]).totalValue == Int64(counts.count))
            try #expect(metrics.expectGauge("streamvault.archiver.stream_up", [("stream", "customers")]).lastValue == 1)
            #expect((try? metrics.expectCounter("streamvault.archiver.stream_failures", [("stream", "orders")]))?.totalValue ?? 0 == 0)
            try #expect(metrics.expectCounter("streamvault.archiver.records", [("stream", "customers")]).totalValue == 5)
        }
    }

    /// With `once`, a failing stream is reported and not retried; the others finish and the supervisor names the failed one.
    @Test func withOnceAFailingStreamIsReportedAfterTheOthersFinish() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiverScripts.boto, ["table", endpoint, "orders"])
            _ = try await MotoServer.python(ArchiverScripts.boto, ["changes", endpoint, "orders", "first"])
            let aws = try LocalAWS(endpoint)
            let storage = try TemporaryDirectory("supervisor-once")
            let layout = StorageLayout(root: storage.path)
            let catalog = try Catalog(path: layout.catalogPath)
            let clock = TestClock()
            let archivers = ["orders", "missing"].map { table in
                ArchiverService(
                    source: .dynamoDBTable(table, dynamoDB: aws.dynamoDB, streams: aws.streams),
                    configuration: ArchiverConfiguration(streamName: table, once: true, retriesOutagesInRun: false),
                    layout: layout,
                    catalog: catalog
                )
            }
            let error = await #expect(throws: ArchiverError.self) {
                try await ArchiverSupervisor(archivers: archivers, clock: clock).run()
            }
            #expect(error?.code == .streamsFailed)
            #expect(error?.message.contains("'missing'") == true, "\(String(describing: error))")
            #expect(clock.sleeps.isEmpty)
            #expect(try archivedRecords(storage: storage.path, stream: "orders").count == 5)
        }
    }

    /// Beside a long-running stream, a failing `once` stream is retried until it has drained, then stops (no error).
    @Test func aOnceStreamBesideALongRunningOneIsRetriedUntilItDrains() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(ArchiverScripts.boto, ["table", endpoint, "orders"])
            let aws = try LocalAWS(endpoint)
            let storage = try TemporaryDirectory("supervisor-mixed")
            let layout = StorageLayout(root: storage.path)
            let catalog = try Catalog(path: layout.catalogPath)
            let clock = TestClock()
            let failures = Reported<[Int]>()
            let drained = Reported<ArchiveSummary>()
            let archivers = [("orders", false), ("late", true)].map { table, once in
                ArchiverService(
                    source: .dynamoDBTable(table, dynamoDB: aws.dynamoDB, streams: aws.streams),
                    configuration: ArchiverConfiguration(streamName: table, once: once, pollInterval: .milliseconds(50), retriesOutagesInRun: false),
                    layout: layout,
                    catalog: catalog,
                    report: { summary in if once { drained.set(summary) } },
                    events: { event in if case .runFailed(_, let count, let retryIn) = event, retryIn != nil { failures.append(count) } }
                )
            }
            let group = ServiceGroup(services: [ArchiverSupervisor(archivers: archivers, clock: clock)], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await waitUntil { (failures.current ?? []).count >= 3 }
                #expect(drained.current == nil)
                _ = try await MotoServer.python(ArchiverScripts.boto, ["table", endpoint, "late"])
                // The once stream stops by itself once it has read what the new table's stream holds.
                try await waitUntil { drained.current != nil }
                let afterDrain = failures.current?.count
                try await Task.sleep(for: .milliseconds(300))
                #expect(failures.current?.count == afterDrain, "a drained once stream is not started again")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(clock.sleeps.count == failures.current?.count)
            #expect(drained.current?.stream == "late")
            #expect(try Catalog(path: layout.catalogPath).stream(named: "late") != nil)
        }
    }

    /// Single-stream mode waits out an outage inside the run: `stream_up` goes 1, 0 during the outage, 1 again once a
    /// round reads, and the outage counts as a failure.
    @Test func anOutageInsideARunShowsAsDownThenUpAgain() async throws {
        let storage = try TemporaryDirectory("archiver-outage")
        let openShard = #"""
            {"StreamDescription":{"StreamArn":"\#(ArchiverScriptedTests.arn)","StreamStatus":"ENABLED","TableName":"orders","Shards":[{"ShardId":"shardId-0002","SequenceNumberRange":{"StartingSequenceNumber":"100"}}]}}
            """#
        let metrics = TestMetrics()
        let events = Reported<[String]>()
        _ = try await ScriptedServer.run([
            .ok(openShard),
            .ok(#"{"ShardIterator":"it-1"}"#),
            .html500,  // the outage: the client gives up (no retries here), the run waits and tries again
            .ok(#"{"ShardIterator":"it-2"}"#),
            .ok(#"{"Records":[\#(ArchiverScriptedTests.record)],"NextShardIterator":"it-3"}"#),
            .ok(#"{"Records":[],"NextShardIterator":"it-4"}"#),  // from here on: caught up, polling
        ]) { endpoint in
            let aws = try LocalAWS(endpoint, retry: .none)
            let layout = StorageLayout(root: storage.path)
            let service = ArchiverService(
                source: .dynamoDBStream(ArchiverScriptedTests.arn, streams: aws.streams),
                configuration: ArchiverConfiguration(streamName: "orders", pollInterval: .milliseconds(20)),
                layout: layout,
                catalog: try Catalog(path: layout.catalogPath),
                metrics: ArchiverMetrics(stream: "orders", factory: metrics),
                events: { event in
                    switch event {
                    case .reading: events.append("reading")
                    case .retrying(let error, let failures, _): events.append("retrying \(error.code) \(failures)")
                    default: break
                    }
                }
            )
            let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await waitUntil {
                    (try? archivedRecords(storage: storage.path, stream: "orders").count) == 1 && events.current?.last == "reading"
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(events.current == ["reading", "retrying serviceUnavailable 1", "reading"])
        try #expect(metrics.expectGauge("streamvault.archiver.stream_up", [("stream", "orders")]).values == [1, 0, 1])
        try #expect(metrics.expectCounter("streamvault.archiver.stream_failures", [("stream", "orders")]).totalValue == 1)
    }
}

/// Polls `condition` every 50 ms for up to a minute.
private func waitUntil(sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool) async throws {
    for _ in 0..<1200 {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within a minute", sourceLocation: sourceLocation)
}
