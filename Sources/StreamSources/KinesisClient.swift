public import AWSCore
import Foundation
import StreamModel

/// The Kinesis Data Streams API StreamVault reads with: `ListShards`, `GetShardIterator`, `GetRecords`.
///
/// ```swift
/// let kinesis = KinesisClient(client: AWSJSONClient(service: .kinesis, environment: aws, httpClient: .shared))
/// let shards = try await kinesis.listShards(stream: "orders-cdc")
/// let iterator = try await kinesis.getShardIterator(stream: "orders-cdc", shardID: shards[0].shardID, position: .atTimestamp(start))
/// let page = try await kinesis.getRecords(shardIterator: iterator)
/// ```
public struct KinesisClient: Sendable {
    /// The JSON client (service ``AWSService/kinesis``).
    public let client: AWSJSONClient

    /// Creates a Kinesis client.
    /// - Parameter client: A JSON client for ``AWSService/kinesis``.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    /// Lists every shard of a stream, following `NextToken` through every page.
    /// - Parameters:
    ///   - stream: The stream's name or ARN.
    ///   - pageSize: Shards per call (1–10000); default 1000.
    /// - Returns: All shards, open and closed (within retention).
    /// - Throws: ``AWSError`` (``AWSError/Code/resourceNotFound`` for an unknown stream).
    public func listShards(stream: KinesisStreamIdentifier, pageSize: Int = 1000) async throws -> [KinesisShard] {
        struct Input: Encodable {
            var StreamName: String?
            var StreamARN: String?
            var NextToken: String?
            var MaxResults: Int
        }
        struct Output: Decodable {
            var Shards: [KinesisShard]?
            var NextToken: String?
        }
        var shards: [KinesisShard] = []
        var token: String?
        var seen: Set<String> = []
        let size = min(max(pageSize, 1), 10_000)
        repeat {
            // With NextToken, ListShards rejects StreamName (it is encoded in the token); StreamARN is allowed.
            let input =
                token == nil
                ? Input(StreamName: stream.streamName, StreamARN: stream.streamARN, NextToken: nil, MaxResults: size)
                : Input(StreamName: nil, StreamARN: stream.streamARN, NextToken: token, MaxResults: size)
            let page: Output = try await client.send(operation: "ListShards", input: input)
            for shard in page.Shards ?? [] where seen.insert(shard.shardID).inserted { shards.append(shard) }
            token = page.NextToken == token ? nil : page.NextToken
        } while token != nil
        return shards
    }

    /// Gets a shard iterator.
    /// - Parameters:
    ///   - stream: The stream's name or ARN.
    ///   - shardID: The shard.
    ///   - position: Where to start, including ``ShardIteratorPosition/atTimestamp(_:)``.
    /// - Returns: The iterator (valid for 5 minutes).
    /// - Throws: ``AWSError``.
    public func getShardIterator(stream: KinesisStreamIdentifier, shardID: String, position: ShardIteratorPosition) async throws -> String {
        struct Input: Encodable {
            var StreamName: String?
            var StreamARN: String?
            var ShardId: String
            var ShardIteratorType: String
            var StartingSequenceNumber: String?
            var Timestamp: Double?
        }
        struct Output: Decodable { var ShardIterator: String }
        let output: Output = try await client.send(
            operation: "GetShardIterator",
            input: Input(
                StreamName: stream.streamName,
                StreamARN: stream.streamARN,
                ShardId: shardID,
                ShardIteratorType: position.iteratorType,
                StartingSequenceNumber: position.sequenceNumber,
                Timestamp: position.timestamp
            )
        )
        return output.ShardIterator
    }

    /// Reads records at an iterator, keeping each record's raw bytes.
    /// - Parameters:
    ///   - shardIterator: The iterator.
    ///   - limit: At most this many records (1–10000); default 10000.
    /// - Returns: The records, the next iterator, the lag and, at the end of a closed shard, its children.
    /// - Throws: ``AWSError`` (``AWSError/Code/expiredIterator``, ``AWSError/Code/throttling`` after retries, …).
    public func getRecords(shardIterator: String, limit: Int = 10_000) async throws -> KinesisGetRecordsOutput {
        let body = try AWSJSONClient.getRecordsBody(shardIterator: shardIterator, limit: limit, maxLimit: 10_000)
        return try Self.decodeGetRecords(try await client.send(operation: "GetRecords", body: body))
    }

    /// Scans a GetRecords answer once: each record's bytes and fields (Data decoded with StreamModel's base64, the
    /// change inside it located), the next iterator, the lag and any child shards.
    static func decodeGetRecords(_ answer: [UInt8]) throws -> KinesisGetRecordsOutput {
        let scanned = try GetRecordsAnswer(answer, operation: "Kinesis GetRecords", recordKind: "a Kinesis record") {
            (cursor) throws(ShapeError) in
            try KinesisRecordFields.scan(&cursor)
        }
        var childShards: [KinesisChildShard] = []
        if let children = scanned.childShards, !children.elementsEqual("null".utf8) {
            // Once per answer, at the end of a closed shard: not on the per-record path.
            do { childShards = try JSONDecoder().decode([KinesisChildShard].self, from: Data(children)) } catch {
                throw AWSError(code: .invalidResponse, message: "The Kinesis GetRecords answer has a malformed ChildShards. Check the endpoint URL.")
            }
        }
        return KinesisGetRecordsOutput(
            records: scanned.records.map { KinesisRecord(bytes: RecordBytes(page: scanned.bytes, range: $0.range), fields: $0.facts) },
            nextShardIterator: scanned.nextShardIterator,
            millisBehindLatest: scanned.millisBehindLatest,
            childShards: childShards
        )
    }
}
