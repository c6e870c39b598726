public import AWSCore
import Foundation
import StreamModel

/// The DynamoDB Streams API: `ListStreams`, `DescribeStream`, `GetShardIterator`, `GetRecords`.
///
/// ```swift
/// let streams = DynamoDBStreamsClient(client: AWSJSONClient(service: .dynamoDBStreams, environment: aws, httpClient: .shared))
/// let stream = try await streams.describeStream(streamARN: arn)
/// var iterator = try await streams.getShardIterator(streamARN: arn, shardID: stream.shards[0].shardID, position: .trimHorizon)
/// while let current = iterator {
///     let page = try await streams.getRecords(shardIterator: current, limit: 1000)
///     // archive page.records (raw bytes), checkpoint the last sequence number
///     iterator = page.nextShardIterator
/// }
/// ```
public struct DynamoDBStreamsClient: Sendable {
    /// The JSON client that signs and sends (its service must be ``AWSService/dynamoDBStreams``).
    public let client: AWSJSONClient

    /// Creates a DynamoDB Streams client.
    /// - Parameter client: A JSON client for ``AWSService/dynamoDBStreams``.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    /// Lists the streams, optionally of one table, following `LastEvaluatedStreamArn` to the end.
    /// - Parameter tableName: Only this table's streams; `nil` for all.
    /// - Returns: The streams.
    /// - Throws: ``AWSError``.
    public func listStreams(tableName: String? = nil) async throws -> [DynamoDBStreamSummary] {
        struct Input: Encodable {
            var TableName: String?
            var ExclusiveStartStreamArn: String?
        }
        struct Output: Decodable {
            var Streams: [DynamoDBStreamSummary]?
            var LastEvaluatedStreamArn: String?
        }
        var all: [DynamoDBStreamSummary] = []
        var start: String?
        repeat {
            let page: Output = try await client.send(operation: "ListStreams", input: Input(TableName: tableName, ExclusiveStartStreamArn: start))
            all += page.Streams ?? []
            start = page.LastEvaluatedStreamArn
        } while start != nil
        return all
    }

    /// Describes a stream with all its shards, following `LastEvaluatedShardId` through every page.
    /// - Parameters:
    ///   - streamARN: The stream's ARN.
    ///   - pageSize: Shards per `DescribeStream` call (1–100); default 100.
    /// - Returns: The stream and every shard.
    /// - Throws: ``AWSError`` (``AWSError/Code/resourceNotFound`` for an unknown stream).
    public func describeStream(streamARN: String, pageSize: Int = 100) async throws -> DynamoDBStreamDescription {
        struct Input: Encodable {
            var StreamArn: String
            var Limit: Int
            var ExclusiveStartShardId: String?
        }
        struct Description: Decodable {
            var StreamArn: String?
            var StreamLabel: String?
            var StreamStatus: String?
            var StreamViewType: String?
            var TableName: String?
            var Shards: [DynamoDBStreamShard]?
            var LastEvaluatedShardId: String?
        }
        struct Output: Decodable { var StreamDescription: Description }
        var shards: [DynamoDBStreamShard] = []
        var start: String?
        var first: Description?
        var seen: Set<String> = []
        repeat {
            let page: Output = try await client.send(
                operation: "DescribeStream",
                input: Input(StreamArn: streamARN, Limit: min(max(pageSize, 1), 100), ExclusiveStartShardId: start)
            )
            let description = page.StreamDescription
            if first == nil { first = description }
            for shard in description.Shards ?? [] where seen.insert(shard.shardID).inserted { shards.append(shard) }
            // Stop if the service repeats the cursor (a broken emulator would otherwise loop forever).
            start = description.LastEvaluatedShardId == start ? nil : description.LastEvaluatedShardId
        } while start != nil
        return DynamoDBStreamDescription(
            streamARN: first?.StreamArn ?? streamARN,
            streamLabel: first?.StreamLabel,
            streamStatus: first?.StreamStatus,
            streamViewType: first?.StreamViewType,
            tableName: first?.TableName,
            shards: shards
        )
    }

    /// Gets a shard iterator.
    /// - Parameters:
    ///   - streamARN: The stream's ARN.
    ///   - shardID: The shard.
    ///   - position: Where to start; ``ShardIteratorPosition/atTimestamp(_:)`` is not supported by DynamoDB Streams.
    /// - Returns: The iterator (valid for 15 minutes).
    /// - Throws: ``AWSError`` (``AWSError/Code/trimmedData`` when the sequence number is past retention,
    ///   ``AWSError/Code/validation`` for AT_TIMESTAMP).
    public func getShardIterator(streamARN: String, shardID: String, position: ShardIteratorPosition) async throws -> String {
        if case .atTimestamp = position {
            throw AWSError(code: .validation, message: "DynamoDB Streams has no AT_TIMESTAMP iterator. Use TRIM_HORIZON and filter by time.")
        }
        struct Input: Encodable {
            var StreamArn: String
            var ShardId: String
            var ShardIteratorType: String
            var SequenceNumber: String?
        }
        struct Output: Decodable { var ShardIterator: String }
        let output: Output = try await client.send(
            operation: "GetShardIterator",
            input: Input(StreamArn: streamARN, ShardId: shardID, ShardIteratorType: position.iteratorType, SequenceNumber: position.sequenceNumber)
        )
        return output.ShardIterator
    }

    /// Reads records at an iterator, keeping each record's raw bytes.
    /// - Parameters:
    ///   - shardIterator: The iterator from ``getShardIterator(streamARN:shardID:position:)`` or the last page.
    ///   - limit: At most this many records (1–1000); default 1000.
    /// - Returns: The records and the next iterator (`nil` once a closed shard is drained).
    /// - Throws: ``AWSError`` (``AWSError/Code/expiredIterator``, ``AWSError/Code/trimmedData``, …).
    public func getRecords(shardIterator: String, limit: Int = 1000) async throws -> DynamoDBStreamsGetRecordsOutput {
        let body = try AWSJSONClient.getRecordsBody(shardIterator: shardIterator, limit: limit, maxLimit: 1000)
        let answer = try await client.send(operation: "GetRecords", body: body)
        return try Self.decodeGetRecords(answer)
    }

    /// Scans a GetRecords answer once: each record's bytes and facts (validated as a change record), and the next iterator.
    static func decodeGetRecords(_ answer: [UInt8]) throws -> DynamoDBStreamsGetRecordsOutput {
        let scanned = try GetRecordsAnswer(
            answer,
            operation: "DynamoDB Streams GetRecords",
            recordKind: "a DynamoDB Streams change record"
        ) { (cursor) throws(ShapeError) in
            try ChangeRecordScanner.scanNative(&cursor)
        }
        return DynamoDBStreamsGetRecordsOutput(
            records: scanned.records.map { DynamoDBStreamRecord(bytes: RecordBytes(page: scanned.bytes, range: $0.range), facts: $0.facts) },
            nextShardIterator: scanned.nextShardIterator
        )
    }
}
