/// The Kinesis calls a reader needs, as a protocol so archiver tests can substitute a scripted stream.
///
/// ``KinesisClient`` is the real implementation.
public protocol KinesisAPI: Sendable {
    /// Lists every shard. See ``KinesisClient/listShards(stream:pageSize:)``.
    func listShards(stream: KinesisStreamIdentifier, pageSize: Int) async throws -> [KinesisShard]
    /// Gets a shard iterator. See ``KinesisClient/getShardIterator(stream:shardID:position:)``.
    func getShardIterator(stream: KinesisStreamIdentifier, shardID: String, position: ShardIteratorPosition) async throws -> String
    /// Reads records. See ``KinesisClient/getRecords(shardIterator:limit:)``.
    func getRecords(shardIterator: String, limit: Int) async throws -> KinesisGetRecordsOutput
}

extension KinesisClient: KinesisAPI {}
