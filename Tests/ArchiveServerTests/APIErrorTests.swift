import ArchiveServer
import ArchiveStore
import Foundation
import StreamModel
import StreamVaultTesting
import Testing

/// Every error answers in AWS's shape with AWS's type, and a bad iterator never yields data.
struct APIErrorTests {
    typealias Lineage = DynamoDBStreamsAPITests

    struct BadCall: Sendable, CustomTestStringConvertible {
        var api: StreamAPI
        var operation: String
        var request: [String: String]
        var limit: Int?
        var type: String
        var testDescription: String { "\(api.rawValue) \(operation) -> \(type)" }
    }

    static let badCalls: [BadCall] = [
        BadCall(api: .dynamoDBStreams, operation: "Nope", request: [:], type: "UnknownOperationException"),
        BadCall(
            api: .dynamoDBStreams,
            operation: "DescribeStream",
            request: ["StreamArn": "arn:aws:dynamodb:us-east-1:1:table/x/stream/y"],
            type: "ResourceNotFoundException"
        ),
        BadCall(api: .dynamoDBStreams, operation: "DescribeStream", request: [:], type: "ValidationException"),
        BadCall(api: .dynamoDBStreams, operation: "GetRecords", request: ["ShardIterator": "garbage"], type: "ValidationException"),
        BadCall(api: .dynamoDBStreams, operation: "GetRecords", request: ["ShardIterator": "AAAA"], limit: 1001, type: "ValidationException"),
        BadCall(api: .kinesis, operation: "GetRecords", request: ["ShardIterator": "garbage"], type: "InvalidArgumentException"),
        BadCall(api: .kinesis, operation: "GetRecords", request: ["ShardIterator": "AAAA"], limit: 10001, type: "InvalidArgumentException"),
        BadCall(api: .kinesis, operation: "DescribeStreamSummary", request: ["StreamName": "missing"], type: "ResourceNotFoundException"),
        BadCall(
            api: .kinesis,
            operation: "GetShardIterator",
            request: ["StreamName": "orders", "ShardId": "nope", "ShardIteratorType": "LATEST"],
            type: "ResourceNotFoundException"
        ),
        BadCall(
            api: .kinesis,
            operation: "GetShardIterator",
            request: ["StreamName": "orders", "ShardId": Lineage.parent, "ShardIteratorType": "SIDEWAYS"],
            type: "InvalidArgumentException"
        ),
        BadCall(
            api: .kinesis,
            operation: "GetShardIterator",
            request: ["StreamName": "orders", "ShardId": Lineage.parent, "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": "12a"],
            type: "InvalidArgumentException"
        ),
        BadCall(
            api: .dynamoDBStreams,
            operation: "GetShardIterator",
            request: ["ShardId": Lineage.parent, "ShardIteratorType": "AT_TIMESTAMP"],
            type: "ValidationException"
        ),
    ]

    @Test(arguments: badCalls)
    func answersTheAWSErrorType(_ call: BadCall) async throws {
        let archive = try ServedArchive()
        _ = try await Lineage.lineage(archive)
        var request: [String: Any] = call.request
        if let limit = call.limit { request["Limit"] = limit }
        let message = try await archive.fails(call.api, call.operation, request, type: call.type)
        #expect(!message.isEmpty)
    }

    @Test func malformedBodiesAndTargetsAreAWSErrorsToo() async throws {
        let archive = try ServedArchive()
        let notJSON = await archive.api.answer(target: "DynamoDBStreams_20120810.ListStreams", body: Array("{nope".utf8))
        #expect(notJSON.status == 400 && notJSON.errorType == "SerializationException")
        let notObject = await archive.api.answer(target: "Kinesis_20131202.ListStreams", body: Array("[1]".utf8))
        #expect(notObject.status == 400 && notObject.errorType == "SerializationException")
        let noTarget = await archive.api.answer(target: nil, body: [])
        #expect(noTarget.status == 400 && noTarget.errorType == "UnknownOperationException")
        #expect(noTarget.contentType == "application/x-amz-json-1.0")
        let kinesis = await archive.api.answer(target: "Kinesis_20131202.ListStreams", body: [])
        #expect(kinesis.status == 200 && kinesis.contentType == "application/x-amz-json-1.1")
    }

    @Test func aChangedIteratorIsRefusedAndNeverReadsOtherData() async throws {
        let archive = try ServedArchive()
        _ = try await Lineage.lineage(archive)
        let arn = try await archive.streamARN()
        let issued = try await archive.ok(
            .dynamoDBStreams,
            "GetShardIterator",
            ["StreamArn": arn, "ShardId": Lineage.child, "ShardIteratorType": "TRIM_HORIZON"]
        )
        let iterator = try #require(issued["ShardIterator"] as? String)
        var bytes = try #require(Data(base64Encoded: iterator))
        // Point the iterator at the other shard (its row id is the byte before the position kind).
        bytes[25] ^= 0x03
        let forged = bytes.base64EncodedString()
        #expect(forged != iterator)
        _ = try await archive.fails(.dynamoDBStreams, "GetRecords", ["ShardIterator": forged], type: "ValidationException")
        // Another archive's key: refused as well.
        let other = try ServedArchive()
        _ = try await Lineage.lineage(other)
        _ = try await other.fails(.dynamoDBStreams, "GetRecords", ["ShardIterator": iterator], type: "ValidationException")
        // And an iterator is only good for the API that issued it.
        _ = try await archive.fails(.kinesis, "GetRecords", ["ShardIterator": iterator], type: "InvalidArgumentException")
    }

    @Test(arguments: [(StreamAPI.dynamoDBStreams, Int64(15 * 60)), (StreamAPI.kinesis, Int64(5 * 60))])
    func iteratorsExpireLikeAWSs(_ api: StreamAPI, _ lifetime: Int64) async throws {
        let archive = try ServedArchive()
        _ = try await Lineage.lineage(archive)
        let request: [String: Any] =
            api == .kinesis
            ? ["StreamName": "orders", "ShardId": Lineage.parent, "ShardIteratorType": "TRIM_HORIZON"]
            : ["StreamArn": try await archive.streamARN(), "ShardId": Lineage.parent, "ShardIteratorType": "TRIM_HORIZON"]
        let issued = try await archive.ok(api, "GetShardIterator", request)
        let iterator = try #require(issued["ShardIterator"] as? String)
        archive.advance(seconds: lifetime)
        _ = try await archive.ok(api, "GetRecords", ["ShardIterator": iterator, "Limit": 1])
        archive.advance(seconds: 1)
        _ = try await archive.fails(api, "GetRecords", ["ShardIterator": iterator, "Limit": 1], type: "ExpiredIteratorException")
    }

    @Test func aSequenceNumberBeforeTheArchivedDataIsTrimmed() async throws {
        let archive = try ServedArchive()
        let (parentLines, _) = try await Lineage.lineage(archive)
        let arn = try await archive.streamARN()
        let first = try Lineage.sequence(parentLines[0])
        let earlier = "1"
        #expect(SequenceNumber(earlier)! < SequenceNumber(first)!)
        _ = try await archive.fails(
            .dynamoDBStreams,
            "GetShardIterator",
            ["StreamArn": arn, "ShardId": Lineage.parent, "ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": earlier],
            type: "TrimmedDataAccessException"
        )
        _ = try await archive.ok(
            .dynamoDBStreams,
            "GetShardIterator",
            ["StreamArn": arn, "ShardId": Lineage.parent, "ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": first]
        )
    }
}

/// The trimmed-data rule on its own.
struct RetentionCheckTests {
    static func seq(_ text: String) -> SequenceNumber { SequenceNumber(text)! }

    @Test(arguments: [
        ("50", true, "before the first record held"),
        ("100", false, "the first record held"),
        ("150", false, "held, before the gap"),
        ("250", true, "inside the gap"),
        ("300", false, "where records resume"),
    ])
    func trimmedOnlyWhereRecordsAreMissing(_ requested: String, _ expected: Bool, _ what: String) {
        let gaps = [ShardGapSpan(afterSequence: Self.seq("200"), resumesAt: Self.seq("300"))]
        let trimmed = RetentionCheck.isTrimmed(requested: Self.seq(requested), firstHeld: Self.seq("100"), gaps: gaps)
        #expect(trimmed == expected, "\(what)")
    }

    /// Retention deleted the shard through 400 (every block gone): nothing at or before it is held, even with no
    /// block left to say where the shard starts.
    @Test(arguments: [("399", true), ("400", true), ("401", false)])
    func trimmedThroughWhatRetentionDeleted(_ requested: String, _ expected: Bool) {
        #expect(RetentionCheck.isTrimmed(requested: Self.seq(requested), firstHeld: nil, gaps: [], trimmedThrough: Self.seq("400")) == expected)
    }
}
