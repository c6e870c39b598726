import ArchiveStore
import Foundation
import StreamModel

/// The Kinesis operations (JSON 1.1, `Kinesis_20131202.*`).
extension ArchiveAPI {
    /// ListStreams: names and summaries, `Limit` (1-10000, default 100) after `ExclusiveStartStreamName` or `NextToken`.
    func kinesisListStreams(_ request: APIRequest) async throws -> [UInt8] {
        let limit = try request.integer("Limit", in: 1...10_000) ?? 100
        var start = try request.string("ExclusiveStartStreamName")
        if let token = try request.string("NextToken") {
            guard let decoded = Self.decodeToken(token), decoded.kind == "streams" else {
                throw APIError.validation("ListStreams: 'NextToken' is not a token this server issued. Pass the NextToken of the previous page.")
            }
            start = decoded.value
        }
        let streams = try await catalog.asyncReader.streams().sorted { $0.name < $1.name }
        let remaining = streams.filter { start == nil || $0.name > start! }
        let page = remaining.prefix(limit)
        var answer: [String: Any] = [
            "StreamNames": page.map(\.name),
            "HasMoreStreams": page.count < remaining.count,
            "StreamSummaries": page.map { stream -> [String: Any] in
                [
                    "StreamName": stream.name,
                    "StreamARN": StreamNames.kinesisStreamARN(stream),
                    "StreamStatus": "ACTIVE",
                    "StreamModeDetails": ["StreamMode": "PROVISIONED"],
                    "StreamCreationTimestamp": Double(stream.createdAt) / 1000,
                ]
            },
        ]
        if page.count < remaining.count, let last = page.last { answer["NextToken"] = Self.encodeToken(kind: "streams", value: last.name) }
        return try Self.json(answer)
    }

    /// The fields DescribeStream and DescribeStreamSummary share.
    private func kinesisStreamFields(_ view: StreamView) -> [String: Any] {
        [
            "StreamName": view.stream.name,
            "StreamARN": StreamNames.kinesisStreamARN(view.stream),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": ["StreamMode": "PROVISIONED"],
            "RetentionPeriodHours": view.stream.retentionDays * 24,
            "StreamCreationTimestamp": Double(view.stream.createdAt) / 1000,
            "EnhancedMonitoring": [["ShardLevelMetrics": [String]()]],
            "EncryptionType": "NONE",
        ]
    }

    /// DescribeStreamSummary.
    func kinesisDescribeStreamSummary(_ request: APIRequest) async throws -> [UInt8] {
        let view = try await view(try await stream(kinesis: request))
        var summary = kinesisStreamFields(view)
        summary["OpenShardCount"] = view.shards.filter { !view.isClosed($0) }.count
        summary["ConsumerCount"] = 0
        return try Self.json(["StreamDescriptionSummary": summary])
    }

    /// DescribeStream: a page of shards (`Limit` 1-10000, default 100) after `ExclusiveStartShardId`.
    func kinesisDescribeStream(_ request: APIRequest) async throws -> [UInt8] {
        let limit = try request.integer("Limit", in: 1...10_000) ?? 100
        let start = try request.string("ExclusiveStartShardId")
        let view = try await view(try await stream(kinesis: request))
        let remaining = try shards(of: view, after: start, operation: "DescribeStream")
        let page = remaining.prefix(limit)
        var description = kinesisStreamFields(view)
        description["Shards"] = page.map { kinesisShard($0, view) }
        description["HasMoreShards"] = page.count < remaining.count
        return try Self.json(["StreamDescription": description])
    }

    /// ListShards: `MaxResults` (1-10000, default 1000) after `ExclusiveStartShardId` or `NextToken`, with the
    /// `ShardFilter` types AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP and FROM_TIMESTAMP.
    func kinesisListShards(_ request: APIRequest) async throws -> [UInt8] {
        let limit = try request.integer("MaxResults", in: 1...10_000) ?? 1000
        var start = try request.string("ExclusiveStartShardId")
        let view: StreamView
        if let token = try request.string("NextToken") {
            let givenName = try request.string("StreamName")
            let givenARN = try request.string("StreamARN")
            if givenName != nil || givenARN != nil {
                throw APIError.validation("ListShards: pass either 'NextToken' or 'StreamName'/'StreamARN', not both.")
            }
            guard let decoded = Self.decodeToken(token), decoded.kind.hasPrefix("shards:") else {
                throw APIError.validation("ListShards: 'NextToken' is not a token this server issued. Pass the NextToken of the previous page.")
            }
            let name = String(decoded.kind.dropFirst("shards:".count))
            guard let stream = try await catalog.asyncReader.stream(named: name) else {
                throw APIError(code: .resourceNotFound, message: "ListShards: stream '\(name)' of the NextToken is no longer in the archive.")
            }
            view = try await self.view(stream)
            start = decoded.value
        } else {
            view = try await self.view(try await stream(kinesis: request))
        }
        var remaining = try shards(of: view, after: start, operation: "ListShards")[...]
        if let filter = try request.object("ShardFilter") {
            remaining = try filtered(remaining, view, filter)
        }
        let page = remaining.prefix(limit)
        var answer: [String: Any] = ["Shards": page.map { kinesisShard($0, view) }]
        if page.count < remaining.count, let last = page.last {
            answer["NextToken"] = Self.encodeToken(kind: "shards:" + view.stream.name, value: StreamNames.wireShardID(last.shardID))
        }
        return try Self.json(answer)
    }

    private func filtered(_ shards: ArraySlice<ShardInfo>, _ view: StreamView, _ filter: APIRequest) throws -> ArraySlice<ShardInfo> {
        let type = try filter.requiredString("Type")
        switch type {
        case "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON":
            return shards
        case "AT_LATEST":
            return shards.filter { !view.isClosed($0) }[...]
        case "AFTER_SHARD_ID":
            let after = try filter.requiredString("ShardId")
            return try self.shards(of: view, after: after, operation: "ListShards").filter { shard in shards.contains(shard) }[...]
        case "AT_TIMESTAMP", "FROM_TIMESTAMP":
            guard let millis = try filter.timestampMillis("Timestamp") else {
                throw APIError.validation("ListShards: ShardFilter type \(type) needs 'Timestamp'.")
            }
            // Shards still holding records at or after the time (or open): those a reader from then needs.
            return shards.filter { shard in
                !view.isClosed(shard) || (view.extents[shard.rowID].map { $0.maxTime >= millis } ?? false)
            }[...]
        default:
            throw APIError.validation(
                "ListShards: ShardFilter 'Type' is '\(type)'; it must be one of AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, "
                    + "AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP."
            )
        }
    }

    /// The shards after `start` (exclusive) in lineage order; all when `start` is `nil`.
    private func shards(of view: StreamView, after start: String?, operation: String) throws -> [ShardInfo] {
        guard let start else { return view.shards }
        let id = StreamNames.archiveShardID(start)
        guard let index = view.shards.firstIndex(where: { $0.shardID == id }) else {
            throw APIError.validation("\(operation): 'ExclusiveStartShardId' '\(start)' is not a shard of stream '\(view.stream.name)'.")
        }
        return Array(view.shards[(index + 1)...])
    }

    private func kinesisShard(_ shard: ShardInfo, _ view: StreamView) -> [String: Any] {
        var entry: [String: Any] = [
            "ShardId": StreamNames.wireShardID(shard.shardID),
            "HashKeyRange": Self.fullHashKeyRange,
            "SequenceNumberRange": sequenceRange(shard, view),
        ]
        if let parent = shard.parentShardID { entry["ParentShardId"] = StreamNames.wireShardID(parent) }
        if let adjacent = shard.adjacentParentShardID { entry["AdjacentParentShardId"] = StreamNames.wireShardID(adjacent) }
        return entry
    }

    /// GetShardIterator: `StreamName`/`StreamARN`, `ShardId`, `ShardIteratorType`, `StartingSequenceNumber`, `Timestamp`.
    func kinesisGetShardIterator(_ request: APIRequest) async throws -> [UInt8] {
        let shardID = try request.requiredString("ShardId")
        let type = try request.requiredString("ShardIteratorType")
        let sequence = try request.string("StartingSequenceNumber")
        let timestamp = try request.timestampMillis("Timestamp")
        let view = try await view(try await stream(kinesis: request))
        let shard = try shard(shardID, in: view, operation: "GetShardIterator")
        let iterator = try await issueIterator(
            api: .kinesis,
            view: view,
            shard: shard,
            type: type,
            sequence: sequence,
            timestamp: timestamp,
            operation: "GetShardIterator"
        )
        return try Self.json(["ShardIterator": iterator])
    }

    /// A paging token: not secret (it only names where a listing continues), but opaque to clients.
    static func encodeToken(kind: String, value: String) -> String {
        Data((kind + "\n" + value).utf8).base64EncodedString()
    }

    static func decodeToken(_ token: String) -> (kind: String, value: String)? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
            let newline = text.firstIndex(of: "\n")
        else { return nil }
        return (String(text[..<newline]), String(text[text.index(after: newline)...]))
    }
}
