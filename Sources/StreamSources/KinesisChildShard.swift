/// A child shard announced by Kinesis `GetRecords` when the shard was closed by a reshard.
public struct KinesisChildShard: Sendable, Hashable, Decodable {
    /// The child's shard ID.
    public var shardID: String
    /// The child's parents.
    public var parentShards: [String]

    /// Creates a child shard entry.
    /// - Parameters:
    ///   - shardID: The child's shard ID.
    ///   - parentShards: Its parents.
    public init(shardID: String, parentShards: [String]) {
        self.shardID = shardID
        self.parentShards = parentShards
    }

    enum CodingKeys: String, CodingKey {
        case shardID = "ShardId"
        case parentShards = "ParentShards"
    }
}
