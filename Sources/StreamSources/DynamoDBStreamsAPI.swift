/// The DynamoDB Streams calls a reader needs, as a protocol so archiver tests can substitute a scripted stream.
///
/// ``DynamoDBStreamsClient`` is the real implementation.
public protocol DynamoDBStreamsAPI: Sendable {
    /// Describes a stream with every shard. See ``DynamoDBStreamsClient/describeStream(streamARN:pageSize:)``.
    func describeStream(streamARN: String, pageSize: Int) async throws -> DynamoDBStreamDescription
    /// Gets a shard iterator. See ``DynamoDBStreamsClient/getShardIterator(streamARN:shardID:position:)``.
    func getShardIterator(streamARN: String, shardID: String, position: ShardIteratorPosition) async throws -> String
    /// Reads records. See ``DynamoDBStreamsClient/getRecords(shardIterator:limit:)``.
    func getRecords(shardIterator: String, limit: Int) async throws -> DynamoDBStreamsGetRecordsOutput
}

extension DynamoDBStreamsClient: DynamoDBStreamsAPI {}
