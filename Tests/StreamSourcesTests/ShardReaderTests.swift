import AWSCore
import AsyncHTTPClient
import Foundation
import StreamSources
import StreamVaultTesting
import Synchronization
import Testing

/// A scripted DynamoDB Streams API: moto cannot expire iterators, trim data or close shards, so these
/// reader tests script those answers and record the calls.
final class ScriptedStreamsAPI: DynamoDBStreamsAPI {
    enum Step: Sendable {
        case page([String], next: String?)
        case fail(AWSError.Code)
    }
    private let state: Mutex<(iteratorAnswers: [Result<String, AWSError>], steps: [Step], positions: [ShardIteratorPosition], iterators: [String])>

    init(iteratorAnswers: [Result<String, AWSError>] = [], steps: [Step]) {
        state = Mutex((iteratorAnswers, steps, [], []))
    }

    var positions: [ShardIteratorPosition] { state.withLock { $0.positions } }
    var iteratorsRead: [String] { state.withLock { $0.iterators } }

    func describeStream(streamARN: String, pageSize: Int) async throws -> DynamoDBStreamDescription {
        throw AWSError(code: .other, message: "not scripted")
    }

    func getShardIterator(streamARN: String, shardID: String, position: ShardIteratorPosition) async throws -> String {
        let answer: Result<String, AWSError> = state.withLock { state in
            state.positions.append(position)
            return state.iteratorAnswers.isEmpty ? .success("it-\(state.positions.count)") : state.iteratorAnswers.removeFirst()
        }
        return try answer.get()
    }

    func getRecords(shardIterator: String, limit: Int) async throws -> DynamoDBStreamsGetRecordsOutput {
        let step: Step = state.withLock { state in
            state.iterators.append(shardIterator)
            return state.steps.isEmpty ? .page([], next: "idle") : state.steps.removeFirst()
        }
        switch step {
        case .fail(let code): throw AWSError(code: code, message: "scripted \(code)")
        case .page(let sequenceNumbers, let next):
            return DynamoDBStreamsGetRecordsOutput(
                records: try sequenceNumbers.map {
                    try DynamoDBStreamRecord(
                        raw: Data(
                            #"{"eventID":"e\#($0)","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"a"}},"SequenceNumber":"\#($0)"}}"#
                                .utf8
                        )
                    )
                },
                nextShardIterator: next
            )
        }
    }
}

/// Collects up to `limit` events of a reader into readable strings.
func collect(_ reader: ShardReader<DynamoDBStreamRecord>, limit: Int = 20) async throws -> [String] {
    var events: [String] = []
    for try await event in reader {
        switch event {
        case .records(let records, _): events.append("records " + records.map(\.sequenceNumber).joined(separator: ","))
        case .gap(let gap): events.append("gap after \(gap.afterSequenceNumber ?? "nothing")")
        case .drained: events.append("drained")
        }
        if events.count == limit { break }
    }
    return events
}

@Suite(.timeLimit(.minutes(1)))
struct ShardReaderTests {
    static func reader(_ api: ScriptedStreamsAPI, checkpoint: String?, clock: TestClock = TestClock()) -> ShardReader<DynamoDBStreamRecord> {
        .dynamoDB(api: api, streamARN: "arn:s", shardID: "shard-1", checkpoint: checkpoint, clock: clock)
    }

    @Test func readsAClosedShardToTheEnd() async throws {
        let api = ScriptedStreamsAPI(steps: [.page(["1", "2"], next: "a"), .page(["3"], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: nil)) == ["records 1,2", "records 3", "drained"])
        #expect(api.positions == [.trimHorizon])
        #expect(api.iteratorsRead == ["it-1", "a"])
    }

    @Test func resumesAfterTheCheckpoint() async throws {
        let api = ScriptedStreamsAPI(steps: [.page(["6"], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: "5")) == ["records 6", "drained"])
        #expect(api.positions == [.afterSequenceNumber("5")])
    }

    @Test func emptyClosedShardIsDrainedAtOnce() async throws {
        let api = ScriptedStreamsAPI(steps: [.page([], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: "9")) == ["drained"])
    }

    @Test func waitsOnTheClockWhileAnOpenShardIsEmpty() async throws {
        let clock = TestClock()
        let api = ScriptedStreamsAPI(steps: [.page([], next: "a"), .page([], next: "b"), .page(["1"], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: nil, clock: clock)) == ["records 1", "drained"])
        #expect(clock.sleeps == [.seconds(1), .seconds(1)])
    }

    @Test func reacquiresAnExpiredIteratorFromTheLastRecordYielded() async throws {
        let api = ScriptedStreamsAPI(steps: [.page(["1", "2"], next: "a"), .fail(.expiredIterator), .page(["3"], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: nil)) == ["records 1,2", "records 3", "drained"])
        #expect(api.positions == [.trimHorizon, .afterSequenceNumber("2")])
    }

    @Test func givesUpWhenIteratorsKeepExpiring() async throws {
        let api = ScriptedStreamsAPI(steps: Array(repeating: .fail(.expiredIterator), count: 10))
        await #expect {
            _ = try await collect(Self.reader(api, checkpoint: "1"))
        } throws: { error in
            (error as? AWSError)?.code == .expiredIterator
        }
        #expect(api.positions.count == 6)  // the first iterator and 5 refreshes
    }

    @Test func trimmedRecordsBecomeAGapThenReadingGoesOnFromTrimHorizon() async throws {
        let api = ScriptedStreamsAPI(steps: [.page(["1"], next: "a"), .fail(.trimmedData), .page(["50"], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: nil)) == ["records 1", "gap after 1", "records 50", "drained"])
        #expect(api.positions == [.trimHorizon, .trimHorizon])
    }

    @Test func checkpointOlderThanRetentionIsAGap() async throws {
        let trimmed = AWSError(code: .trimmedData, message: "trimmed", awsType: "TrimmedDataAccessException", httpStatus: 400)
        let api = ScriptedStreamsAPI(iteratorAnswers: [.failure(trimmed)], steps: [.page(["90"], next: nil)])
        #expect(try await collect(Self.reader(api, checkpoint: "3")) == ["gap after 3", "records 90", "drained"])
        #expect(api.positions == [.afterSequenceNumber("3"), .trimHorizon])
    }

    @Test func iteratorExpiringRightAfterAGapStaysAtTrimHorizon() async throws {
        let api = ScriptedStreamsAPI(steps: [
            .page(["1"], next: "a"), .fail(.trimmedData), .fail(.expiredIterator), .page(["50"], next: "b"),
            .fail(.expiredIterator), .page(["51"], next: nil),
        ])
        #expect(try await collect(Self.reader(api, checkpoint: nil)) == ["records 1", "gap after 1", "records 50", "records 51", "drained"])
        #expect(api.positions == [.trimHorizon, .trimHorizon, .trimHorizon, .afterSequenceNumber("50")])
    }

    @Test func otherErrorsAreThrown() async throws {
        let api = ScriptedStreamsAPI(steps: [.fail(.accessDenied)])
        await #expect {
            _ = try await collect(Self.reader(api, checkpoint: nil))
        } throws: { error in
            (error as? AWSError)?.code == .accessDenied
        }
    }

    @Test func readsMotoStreamThroughTheRealClient() async throws {
        try await MotoServer.with { endpoint in
            let setup = try await MotoServer.python(MotoScripts.boto, ["dynamodb-setup", endpoint, "reader"])
            let arn = try #require((try JSONSerialization.jsonObject(with: setup) as? [String: String])?["streamArn"])
            let streams = DynamoDBStreamsClient(
                client: AWSJSONClient(service: .dynamoDBStreams, environment: try localEnvironment(endpoint), httpClient: .shared)
            )
            let shard = try #require(try await streams.describeStream(streamARN: arn).shards.first)
            let reader = ShardReader.dynamoDB(api: streams, streamARN: arn, shardID: shard.shardID, checkpoint: nil, clock: TestClock())
            var iterator = reader.makeAsyncIterator()
            guard case .records(let records, _) = try await iterator.next() else {
                Issue.record("expected records first")
                return
            }
            #expect(records.map(\.eventName) == ["INSERT", "MODIFY", "INSERT", "REMOVE"])
            // Resuming from the second record's checkpoint yields the rest.
            var resumed = ShardReader.dynamoDB(
                api: streams,
                streamARN: arn,
                shardID: shard.shardID,
                checkpoint: records[1].sequenceNumber,
                clock: TestClock()
            ).makeAsyncIterator()
            guard case .records(let rest, _) = try await resumed.next() else {
                Issue.record("expected records after the checkpoint")
                return
            }
            #expect(rest.map(\.sequenceNumber) == records.dropFirst(2).map(\.sequenceNumber))
        }
    }
}
