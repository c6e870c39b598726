import ArchiveStore
import StreamModel

/// A stream's shards as the APIs show them: lineage order, what each holds, which are closed.
struct StreamView: Sendable {
    var stream: StreamInfo
    /// Parents before children.
    var shards: [ShardInfo]
    /// What each shard holds, by shard row id (absent: nothing yet).
    var extents: [Int64: ShardExtent]

    /// The shard with wire id `wireID`.
    func shard(wireID: String) -> ShardInfo? {
        let id = StreamNames.archiveShardID(wireID)
        return shards.first { $0.shardID == id }
    }

    /// The shards that name `shard` as a parent.
    func children(of shard: ShardInfo) -> [ShardInfo] {
        shards.filter { $0.parentShardID == shard.shardID || $0.adjacentParentShardID == shard.shardID }
    }

    /// A shard is closed once the archiver saw it end, or once it has children (a split or merge ended it).
    func isClosed(_ shard: ShardInfo) -> Bool {
        shard.closedAt != nil || !children(of: shard).isEmpty
    }

    /// Whether no shard is still open (DynamoDB: `DISABLED`).
    var isFinished: Bool { !shards.isEmpty && shards.allSatisfy(isClosed) }
}

extension ArchiveAPI {
    /// The view of `stream`, read through the async catalog reader.
    func view(_ stream: StreamInfo) async throws -> StreamView {
        let reader = catalog.asyncReader
        async let shards = reader.shards(streamID: stream.id)
        async let extents = reader.shardExtents(streamID: stream.id)
        return StreamView(
            stream: stream,
            shards: try await shards,
            extents: Dictionary(try await extents.map { ($0.shardRowID, $0) }, uniquingKeysWith: { first, _ in first })
        )
    }

    /// The stream a DynamoDB Streams ARN names.
    func stream(dynamoDBARN arn: String, operation: String) async throws -> StreamInfo {
        let streams = try await catalog.asyncReader.streams()
        if let found = streams.first(where: { StreamNames.dynamoDBStreamARN($0) == arn }) { return found }
        throw APIError(
            code: .resourceNotFound,
            message: "\(operation): no stream with ARN '\(arn)' in the archive. ListStreams gives the ARNs of the "
                + "\(streams.count) archived stream\(streams.count == 1 ? "" : "s")."
        )
    }

    /// The stream a Kinesis call names by `StreamName` or `StreamARN`.
    func stream(kinesis request: APIRequest) async throws -> StreamInfo {
        let name: String
        if let given = try request.string("StreamName") {
            name = given
        } else if let arn = try request.string("StreamARN") {
            guard let fromARN = StreamNames.streamName(kinesisARN: arn) else {
                throw APIError.validation(
                    "\(request.operation): 'StreamARN' '\(arn)' is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)."
                )
            }
            name = fromARN
        } else {
            throw APIError.validation("\(request.operation): pass 'StreamName' or 'StreamARN'.")
        }
        if let stream = try await catalog.asyncReader.stream(named: name) { return stream }
        throw APIError(
            code: .resourceNotFound,
            message: "\(request.operation): stream '\(name)' is not in the archive. ListStreams lists the archived streams."
        )
    }

    /// The stream with catalog row id `id` (an iterator's), or `ResourceNotFoundException`.
    func stream(id: Int64) async throws -> StreamInfo {
        if let stream = try await catalog.asyncReader.streams().first(where: { $0.id == id }) { return stream }
        throw APIError(code: .resourceNotFound, message: "The shard iterator's stream is no longer in the archive. List the streams again.")
    }

    /// The shard `wireID` of `view`, or `ResourceNotFoundException` naming the shards there are.
    func shard(_ wireID: String, in view: StreamView, operation: String) throws -> ShardInfo {
        if let shard = view.shard(wireID: wireID) { return shard }
        let known = view.shards.prefix(10).map { StreamNames.wireShardID($0.shardID) }.joined(separator: ", ")
        throw APIError(
            code: .resourceNotFound,
            message: "\(operation): stream '\(view.stream.name)' has no shard '\(wireID)'. Its shards include: \(known)."
        )
    }
}
