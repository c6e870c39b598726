import AWSCore
import ArchiveStore
import Foundation
import MetricsTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
import StreamModel
import StreamSources
import StreamVaultTesting
import Testing

@Suite(.timeLimit(.minutes(1)))
struct ArchiverScriptedTests {
    static let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
    static let describeClosedShard = #"""
        {"StreamDescription":{"StreamArn":"\#(arn)","StreamStatus":"ENABLED","StreamViewType":"NEW_AND_OLD_IMAGES","TableName":"orders","Shards":[{"ShardId":"shardId-0001","SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"300"}}]}}
        """#
    static let record =
        #"{"eventID":"e-1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1767225600,"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"}},"SequenceNumber":"200","SizeBytes":10,"StreamViewType":"NEW_AND_OLD_IMAGES"}}"#

    @Test func trimmedRecordsBecomeAGapAndTheClosedShardIsFinished() async throws {
        let storage = try TemporaryDirectory("archiver")
        let metrics = TestMetrics()
        var summary: ArchiveSummary?
        let events = Reported<[String]>()
        let received = try await ScriptedServer.run([
            .ok(Self.describeClosedShard),
            .ok(#"{"ShardIterator":"it-1"}"#),
            .awsError("TrimmedDataAccessException", message: "records before 150 are gone"),
            .ok(#"{"ShardIterator":"it-2"}"#),
            .ok(#"{"Records":[\#(Self.record)]}"#),  // no NextShardIterator: the closed shard is drained
            .ok(Self.describeClosedShard),
        ]) { endpoint in
            let aws = try LocalAWS(endpoint, retry: .none)
            summary = try await archiveOnce(
                .dynamoDBStream(Self.arn, streams: aws.streams),
                stream: "orders",
                storage: storage.path,
                metrics: metrics,
                events: { event in
                    switch event {
                    case .gapRecorded(let gap): events.append("gap \(gap.shardID) after \(gap.afterSequenceNumber ?? "start")")
                    case .shardDrained(let shardID): events.append("drained \(shardID)")
                    case .streamDisabled, .retrying, .pruned, .pruneFailed, .lease: events.append("\(event)")
                    case .reading, .runFailed: break
                    }
                }
            )
        }
        // What the CLI shows the operator (the library itself logs at debug and trace only).
        #expect(events.current == ["gap shardId-0001 after start", "drained shardId-0001"])
        #expect(
            received.map(\.target) == [
                "DynamoDBStreams_20120810.DescribeStream", "DynamoDBStreams_20120810.GetShardIterator", "DynamoDBStreams_20120810.GetRecords",
                "DynamoDBStreams_20120810.GetShardIterator", "DynamoDBStreams_20120810.GetRecords", "DynamoDBStreams_20120810.DescribeStream",
            ]
        )
        try #require(received.count == 6)
        #expect(received[3].body.contains("TRIM_HORIZON"))
        #expect(summary?.records == 1)
        #expect(summary?.gaps == 1)
        #expect(summary?.shardsDrained == 1)
        try #expect(metrics.expectCounter("streamvault.archiver.gaps", [("stream", "orders"), ("shard", "shardId-0001")]).totalValue == 1)

        let catalog = try Catalog(path: StorageLayout(root: storage.path).catalogPath)
        let stream = try catalog.requireStream("orders")
        let gaps = try catalog.gaps(streamID: stream.id)
        #expect(gaps.count == 1)
        #expect(gaps.first?.shardID == "shardId-0001")
        #expect(gaps.first?.afterSequence == nil)
        #expect(gaps.first?.reason.contains("records before 150 are gone") == true)
        let shards = try catalog.shards(streamID: stream.id)
        #expect(shards.map(\.shardID) == ["shardId-0001"])
        #expect(shards.first?.closedAt != nil)
        #expect(shards.first?.checkpoint?.text == "200")
        #expect(try archivedRecords(storage: storage.path, stream: "orders").map(\.line) == [Self.record])
    }

    @Test func permanentErrorsStopWithAClearMessage() async throws {
        let storage = try TemporaryDirectory("archiver")
        _ = try await ScriptedServer.run([.awsError("AccessDeniedException", message: "not allowed to DescribeStream")]) { endpoint in
            let aws = try LocalAWS(endpoint, retry: .none)
            await #expect {
                _ = try await archiveOnce(.dynamoDBStream(Self.arn, streams: aws.streams), stream: "orders", storage: storage.path)
            } throws: { error in
                let text = "\(error)"
                return (error as? ArchiverError)?.code == .awsCallFailed && (error as? ArchiverError)?.underlying?.code == .accessDenied
                    && text.contains("not allowed to DescribeStream") && text.contains("IAM")
            }
        }
    }

    @Test func gracefulShutdownStopsPollingCommitsAndReturns() async throws {
        let storage = try TemporaryDirectory("archiver")
        let openShard = #"""
            {"StreamDescription":{"StreamArn":"\#(Self.arn)","StreamStatus":"ENABLED","TableName":"orders","Shards":[{"ShardId":"shardId-0002","SequenceNumberRange":{"StartingSequenceNumber":"100"}}]}}
            """#
        let reported = Reported<ArchiveSummary>()
        _ = try await ScriptedServer.run([
            .ok(openShard),
            .ok(#"{"ShardIterator":"it-1"}"#),
            .ok(#"{"Records":[\#(Self.record)],"NextShardIterator":"it-2"}"#),
            .ok(#"{"Records":[],"NextShardIterator":"it-3"}"#),  // from here on: caught up, polling
        ]) { endpoint in
            let aws = try LocalAWS(endpoint, retry: .none)
            let layout = StorageLayout(root: storage.path)
            let service = ArchiverService(
                source: .dynamoDBStream(Self.arn, streams: aws.streams),
                configuration: ArchiverConfiguration(streamName: "orders", pollInterval: .milliseconds(20)),
                layout: layout,
                catalog: try Catalog(path: layout.catalogPath),
                report: { reported.set($0) }
            )
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.run() }
                    // Wait until the record is committed, then ask the service to stop.
                    while (try? archivedRecords(storage: storage.path, stream: "orders").count) != 1 {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    trigger.triggerGracefulShutdown()
                    let triggered = ContinuousClock.now
                    try await group.waitForAll()
                    // Stopping takes one poll interval and a commit, not a timeout; loose for a loaded machine.
                    #expect(ContinuousClock.now - triggered < .seconds(20))
                }
            }
        }
        #expect(reported.current?.records == 1)
        #expect(try archivedRecords(storage: storage.path, stream: "orders").count == 1)
    }
}
