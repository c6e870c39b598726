import Foundation
import Replay
import StreamModel
import StreamVaultTesting
import Synchronization
import Testing

/// The event source mapping's semantics against in-process handlers (real code reading real events).
struct EventSourceMappingTests {
    static let null = HandlerOutcome.response(Array("null".utf8))

    static func response(_ text: String) -> HandlerOutcome { .response(Array(text.utf8)) }

    @Test(arguments: [1, 7, 100, 10_000])
    func everyRecordGoesOutOnceInBatchesOfOneShardInSequenceOrder(_ batchSize: Int) async throws {
        let f = try ReplayFixture(records: 600, shards: 3)
        var settings = MappingSettings()
        settings.batchSize = batchSize
        let handler = ScriptedHandler()
        let statistics = try await f.deliver(settings, handlers: [handler])
        let expected = f.sequencesByShard
        var delivered: [String: [String]] = [:]
        var expectedInvocations = 0
        for (_, sequences) in expected { expectedInvocations += (sequences.count + batchSize - 1) / batchSize }
        for invocation in handler.invocations {
            #expect(invocation.sequences.count <= batchSize)
            let shard = expected.first { $0.value.contains(invocation.sequences[0]) }!.key
            #expect(invocation.sequences.allSatisfy { expected[shard]!.contains($0) }, "a batch holds one shard's records")
            delivered[shard, default: []].append(contentsOf: invocation.sequences)
        }
        #expect(delivered == expected)
        #expect(handler.invocations.count == expectedInvocations)
        #expect(statistics.recordsDelivered == 600)
        #expect(statistics.invocations == expectedInvocations)
        #expect(statistics.retries == 0)
    }

    @Test func partialBatchResponseRetriesFromTheFirstFailedRecordInOrder() async throws {
        let f = try ReplayFixture(records: 300, shards: 1)
        let sequences = f.sequencesByShard[f.shardIDs[0]]!
        let poison = [sequences[15], sequences[12]]  // reported out of order: the retry starts at the lower one
        var settings = MappingSettings()
        settings.batchSize = 20
        settings.reportBatchItemFailures = true
        let handler = ScriptedHandler { invocation, index in
            let named = poison.filter { invocation.sequences.contains($0) }
            // Each poison record fails on its first delivery only.
            let firstTime = named.filter { seq in index == 0 }
            guard !firstTime.isEmpty else { return Self.null }
            return Self.response(#"{"batchItemFailures":["# + firstTime.map { #"{"itemIdentifier":""# + $0 + #""}"# }.joined(separator: ",") + "]}")
        }
        let statistics = try await f.deliver(settings, handlers: [handler])
        let calls = handler.invocations
        #expect(calls[0].sequences == Array(sequences[0..<20]))
        #expect(calls[1].sequences == Array(sequences[12..<20]), "the retry starts at the first failed record and keeps the rest")
        #expect(calls[2].sequences == Array(sequences[20..<40]))
        #expect(statistics.retries == 1)
        #expect(statistics.partialFailures == 1)
        #expect(statistics.recordsDelivered == 300)
        #expect(calls.count == 16)
    }

    @Test func bisectSplitsDownToThePoisonRecordWhichGoesToTheFailureFileAfterItsRetries() async throws {
        let f = try ReplayFixture(records: 64, shards: 1)
        let directory = try TemporaryDirectory("bisect")
        let sequences = f.sequencesByShard[f.shardIDs[0]]!
        let poison = sequences[5]
        var settings = MappingSettings()
        settings.batchSize = 8
        settings.bisectOnError = true
        settings.maxRetries = 2
        let handler = ScriptedHandler { invocation, _ in
            invocation.sequences.contains(poison) ? .functionError(type: "ValueError", message: "poison") : Self.null
        }
        let failures = try FailureDestination(path: directory.path + "/failed.ndjson")
        let statistics = try await f.deliver(settings, handlers: [handler], failures: failures)
        let ranges: [Range<Int>] = [
            0..<8,  // fails: split
            0..<4,
            4..<8,  // fails: split
            4..<6,  // fails: split
            4..<5,
            5..<6, 5..<6, 5..<6,  // the poison record alone: fails, then its 2 retries
            6..<8,
        ]
        let expected: [[String]] = ranges.map { Array(sequences[$0]) }
        let seen: [[String]] = handler.invocations.prefix(9).map(\.sequences)
        #expect(seen == expected)
        #expect(handler.invocations[9].sequences == Array(sequences[8..<16]))
        #expect(statistics.bisections == 3)
        #expect(statistics.retries == 2)
        #expect(statistics.recordsFailed == 1)
        #expect(statistics.recordsDelivered == 63)
        let lines = try jsonLines(directory.path + "/failed.ndjson")
        #expect(lines.count == 1)
        let context = lines[0]["requestContext"] as! [String: Any]
        #expect(context["condition"] as? String == "RetryAttemptsExhausted")
        #expect(context["approximateInvokeCount"] as? Int == 3)
        #expect((lines[0]["responseContext"] as! [String: Any])["functionError"] as? String == "Unhandled")
        #expect(lines[0]["version"] as? String == "1.0")
        let info = lines[0]["DDBStreamBatchInfo"] as! [String: Any]
        #expect(info["shardId"] as? String == f.shardIDs[0])
        #expect(info["startSequenceNumber"] as? String == poison)
        #expect(info["endSequenceNumber"] as? String == poison)
        #expect(info["batchSize"] as? Int == 1)
        #expect((info["streamArn"] as? String)?.hasPrefix("arn:aws:dynamodb:") == true)
        #expect(info["approximateArrivalOfFirstRecord"] as? String != nil)
    }

    @Test(arguments: [
        "{", #""ok""#, "[]", #"{"batchItemFailures":[{"itemIdentifier":"1"}]}"#, #"{"batchItemFailures":[{}]}"#,
        #"{"batchItemFailures":[{"itemIdentifier":""}]}"#, #"{"batchItemFailures":[{"itemIdentifier":null}]}"#, #"{"batchItemFailures":{}}"#,
    ])
    func malformedPartialResponsesFailTheWholeBatch(_ body: String) async throws {
        let f = try ReplayFixture(records: 40, shards: 1)
        let directory = try TemporaryDirectory("malformed")
        var settings = MappingSettings()
        settings.batchSize = 10
        settings.reportBatchItemFailures = true
        settings.maxRetries = 1
        let handler = ScriptedHandler { _, _ in Self.response(body) }
        let failures = try FailureDestination(path: directory.path + "/failed.ndjson")
        let statistics = try await f.deliver(settings, handlers: [handler], failures: failures)
        #expect(handler.invocations.count == 8, "each batch of 10: its first try and one retry, whole")
        #expect(handler.invocations.allSatisfy { $0.sequences.count == 10 })
        #expect(statistics.malformedResponses == 8)
        #expect(statistics.recordsFailed == 40)
        #expect(statistics.recordsDelivered == 0)
        let lines = try jsonLines(directory.path + "/failed.ndjson")
        #expect(lines.map { ($0["DDBStreamBatchInfo"] as! [String: Any])["batchSize"] as? Int } == [10, 10, 10, 10])
        #expect(lines.allSatisfy { ($0["responseContext"] as! [String: Any])["functionError"] == nil })
    }

    @Test(arguments: ["", "null", "  ", "{}", #"{"batchItemFailures":[]}"#, #"{"batchItemFailures":null}"#, #"{"other":1}"#])
    func emptyOrNullPartialResponsesAreSuccess(_ body: String) async throws {
        let f = try ReplayFixture(records: 30, shards: 1)
        var settings = MappingSettings()
        settings.batchSize = 10
        settings.reportBatchItemFailures = true
        let handler = ScriptedHandler { _, _ in Self.response(body) }
        let statistics = try await f.deliver(settings, handlers: [handler])
        #expect(handler.invocations.count == 3)
        #expect(statistics.recordsDelivered == 30)
        #expect(statistics.retries == 0)
    }

    @Test func withoutReportBatchItemFailuresTheResponseIsIgnored() async throws {
        let f = try ReplayFixture(records: 30, shards: 1)
        var settings = MappingSettings()
        settings.batchSize = 10
        let handler = ScriptedHandler { _, _ in Self.response(#"{"batchItemFailures":[{"itemIdentifier":"1"}]}"#) }
        let statistics = try await f.deliver(settings, handlers: [handler])
        #expect(handler.invocations.count == 3)
        #expect(statistics.recordsDelivered == 30)
    }

    @Test func aFailingBatchIsRetriedUntilItSucceedsByDefaultAndBlocksItsShard() async throws {
        let f = try ReplayFixture(records: 50, shards: 1)
        let sequences = f.sequencesByShard[f.shardIDs[0]]!
        var settings = MappingSettings()
        settings.batchSize = 10
        let handler = ScriptedHandler { invocation, index in
            // The second batch fails five times (a timeout, a crash, errors), then succeeds.
            guard invocation.sequences.first == sequences[10] else { return Self.null }
            switch index {
            case 1: return .timedOut
            case 2: return .crashed("exit 1")
            case 3, 4, 5: return .functionError(type: "E", message: "m")
            default: return Self.null
            }
        }
        let statistics = try await f.deliver(settings, handlers: [handler])
        let firsts: [String] = handler.invocations.map { $0.sequences[0] }
        var expected: [String] = [sequences[0]]
        expected += Array(repeating: sequences[10], count: 6)
        expected += [sequences[20], sequences[30], sequences[40]]
        #expect(firsts == expected)
        #expect(statistics.retries == 5)
        #expect(statistics.timeouts == 1)
        #expect(statistics.crashes == 1)
        #expect(statistics.functionErrors == 5)
        #expect(statistics.recordsDelivered == 50)
    }

    @Test(arguments: [2, 4, 10])
    func parallelizationKeepsEachKeyInOneLaneInOrder(_ factor: Int) async throws {
        let f = try ReplayFixture(records: 800, shards: 2)
        var settings = MappingSettings()
        settings.batchSize = 10
        settings.parallelization = factor
        let handlers = (0..<factor).map { _ in ScriptedHandler(delay: .milliseconds(2)) }
        let statistics = try await f.deliver(settings, handlers: handlers)
        #expect(statistics.recordsDelivered == 800)
        var shardOf: [String: String] = [:]
        for (shard, sequences) in f.sequencesByShard { for sequence in sequences { shardOf[sequence] = shard } }
        var laneOfKey: [String: Int] = [:]
        var perKey: [String: [String]] = [:]  // per shard and key: DynamoDB keeps one item's changes in one shard
        for (lane, handler) in handlers.enumerated() {
            for invocation in handler.invocations {
                for (key, sequence) in zip(invocation.keys, invocation.sequences) {
                    #expect(laneOfKey[key, default: lane] == lane, "one key, one lane")
                    laneOfKey[key] = lane
                    perKey[shardOf[sequence]! + key, default: []].append(sequence)
                }
            }
        }
        for (_, sequences) in perKey {
            let numbers = sequences.map { SequenceNumber($0)! }
            #expect(numbers == numbers.sorted(), "per shard and key in sequence order")
        }
        #expect(handlers.filter { !$0.invocations.isEmpty }.count > 1, "keys spread over lanes")
        #expect(Set(perKey.values.flatMap { $0 }).count == 800)
    }

    @Test func recordsOlderThanTheMaximumAgeGoToTheFailureFileUninvoked() async throws {
        let f = try ReplayFixture(records: 20, shards: 1)
        let directory = try TemporaryDirectory("age")
        var settings = MappingSettings()
        settings.batchSize = 10
        settings.maxRecordAgeSeconds = 60
        let handler = ScriptedHandler()
        let failures = try FailureDestination(path: directory.path + "/failed.ndjson")
        let statistics = try await f.deliver(settings, handlers: [handler], failures: failures)
        #expect(handler.invocations.isEmpty)
        #expect(statistics.recordsFailed == 20)
        let lines = try jsonLines(directory.path + "/failed.ndjson")
        #expect(lines.map { ($0["requestContext"] as! [String: Any])["condition"] as? String } == ["RecordAgeExceeded", "RecordAgeExceeded"])
        // With the wall clock at the records' own time, nothing is too old.
        let young = ScriptedHandler()
        let first = ReplayFixture.time(f.lines[0])
        let fresh = try await f.deliver(settings, handlers: [young], wallClockMillis: { first + 30_000 })
        #expect(fresh.recordsDelivered == 20)
    }

    @Test func speedPacesByEventTimeOnTheInjectedClock() async throws {
        let f = try ReplayFixture(records: 50, shards: 1)
        let clock = TestClock()
        var settings = MappingSettings()
        settings.batchSize = 100
        let handler = ScriptedHandler()
        let statistics = try await f.deliver(settings, handlers: [handler], pacing: SpeedPacing(speed: 100, clock: clock))
        #expect(statistics.recordsDelivered == 50)
        let times = f.lines.map(ReplayFixture.time)
        let span = Duration.milliseconds(times.max()! - times.min()!)
        let slept = clock.sleeps.reduce(Duration.zero, +)
        #expect(slept >= span / 100 - .milliseconds(50) && slept <= span / 100 + .milliseconds(50), "slept \(slept) for a span of \(span) at 100x")
        // A window of 0 sends what is due whenever the replay must wait: records a second apart at 100x go alone.
        #expect(handler.invocations.count > 1)
    }

    @Test func checkpointsFollowTheCompletedPrefixPerShard() async throws {
        let f = try ReplayFixture(records: 200, shards: 2)
        var settings = MappingSettings()
        settings.batchSize = 10
        settings.parallelization = 3
        let checkpoints = Mutex<[ReplayPosition]>([])
        _ = try await f.deliver(
            settings,
            handlers: (0..<3).map { _ in ScriptedHandler() },
            onCheckpoint: { position, _ in
                checkpoints.withLock { $0.append(position) }
            }
        )
        let all = checkpoints.withLock { $0 }
        for shard in f.shardIDs {
            let own = all.filter { $0.shardID == shard }.map(\.sequenceNumber)
            #expect(own == own.sorted(), "checkpoints only move forward")
            #expect(own.last == SequenceNumber(f.sequencesByShard[shard]!.last!), "the last checkpoint is the shard's last record")
        }
    }
}
