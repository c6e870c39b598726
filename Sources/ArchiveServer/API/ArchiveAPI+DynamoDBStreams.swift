import ArchiveStore
import Foundation
import StreamModel

/// The DynamoDB Streams operations (JSON 1.0, `DynamoDBStreams_20120810.*`).
extension ArchiveAPI {
    /// ListStreams: `TableName` filter; pages of `Limit` (1-100, default 100) after `ExclusiveStartStreamArn`.
    func dynamoDBListStreams(_ request: APIRequest) async throws -> [UInt8] {
        let limit = try request.integer("Limit", in: 1...100) ?? 100
        let table = try request.string("TableName")
        let start = try request.string("ExclusiveStartStreamArn")
        var streams = try await catalog.asyncReader.streams()
        if let table { streams = streams.filter { StreamNames.tableName($0) == table } }
        let entries = streams.map { (arn: StreamNames.dynamoDBStreamARN($0), stream: $0) }.sorted { $0.arn < $1.arn }
        var remaining = entries[...]
        if let start {
            guard let index = entries.firstIndex(where: { $0.arn == start }) else {
                throw APIError.validation(
                    "ListStreams: 'ExclusiveStartStreamArn' '\(start)' is not a stream here; pass the LastEvaluatedStreamArn of the previous page."
                )
            }
            remaining = entries[(index + 1)...]
        }
        let page = remaining.prefix(limit)
        var answer: [String: Any] = [
            "Streams": page.map { entry -> [String: String] in
                ["StreamArn": entry.arn, "TableName": StreamNames.tableName(entry.stream), "StreamLabel": StreamNames.streamLabel(entry.stream)]
            }
        ]
        if page.count < remaining.count, let last = page.last { answer["LastEvaluatedStreamArn"] = last.arn }
        return try Self.json(answer)
    }

    /// DescribeStream: the stream and a page of its shards (`Limit` 1-100, after `ExclusiveStartShardId`), with lineage
    /// and sequence number ranges.
    func dynamoDBDescribeStream(_ request: APIRequest) async throws -> [UInt8] {
        let arn = try request.requiredString("StreamArn")
        let limit = try request.integer("Limit", in: 1...100) ?? 100
        let start = try request.string("ExclusiveStartShardId")
        let stream = try await stream(dynamoDBARN: arn, operation: "DescribeStream")
        let view = try await view(stream)
        var remaining = view.shards[...]
        if let start {
            let id = StreamNames.archiveShardID(start)
            guard let index = view.shards.firstIndex(where: { $0.shardID == id }) else {
                throw APIError(code: .resourceNotFound, message: "DescribeStream: 'ExclusiveStartShardId' '\(start)' is not a shard of this stream.")
            }
            remaining = view.shards[(index + 1)...]
        }
        let page = remaining.prefix(limit)
        var description: [String: Any] = [
            "StreamArn": arn,
            "StreamLabel": StreamNames.streamLabel(stream),
            "StreamStatus": view.isFinished ? "DISABLED" : "ENABLED",
            "StreamViewType": stream.viewType ?? "NEW_AND_OLD_IMAGES",
            "CreationRequestDateTime": Double(stream.createdAt) / 1000,
            "TableName": StreamNames.tableName(stream),
            "Shards": page.map { shard -> [String: Any] in
                var entry: [String: Any] = [
                    "ShardId": StreamNames.wireShardID(shard.shardID),
                    "SequenceNumberRange": sequenceRange(shard, view),
                ]
                if let parent = shard.parentShardID { entry["ParentShardId"] = StreamNames.wireShardID(parent) }
                return entry
            },
        ]
        if page.count < remaining.count, let last = page.last { description["LastEvaluatedShardId"] = StreamNames.wireShardID(last.shardID) }
        return try Self.json(["StreamDescription": description])
    }

    /// A shard's `SequenceNumberRange`: first archived record, and the last one once the shard is closed.
    func sequenceRange(_ shard: ShardInfo, _ view: StreamView) -> [String: String] {
        guard let extent = view.extents[shard.rowID] else { return [:] }
        var range = ["StartingSequenceNumber": extent.firstSequence.text]
        if view.isClosed(shard) { range["EndingSequenceNumber"] = extent.lastSequence.text }
        return range
    }

    /// GetShardIterator: `StreamArn`, `ShardId`, `ShardIteratorType`, `SequenceNumber`.
    func dynamoDBGetShardIterator(_ request: APIRequest) async throws -> [UInt8] {
        let arn = try request.requiredString("StreamArn")
        let shardID = try request.requiredString("ShardId")
        let type = try request.requiredString("ShardIteratorType")
        let sequence = try request.string("SequenceNumber")
        let stream = try await stream(dynamoDBARN: arn, operation: "GetShardIterator")
        let view = try await view(stream)
        let shard = try shard(shardID, in: view, operation: "GetShardIterator")
        let iterator = try await issueIterator(
            api: .dynamoDBStreams,
            view: view,
            shard: shard,
            type: type,
            sequence: sequence,
            timestamp: nil,
            operation: "GetShardIterator"
        )
        return try Self.json(["ShardIterator": iterator])
    }
}
