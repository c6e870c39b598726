/// A DynamoDB stream as `DescribeStream` describes it, with every shard (all pages).
public struct DynamoDBStreamDescription: Sendable, Hashable {
    /// The stream's ARN.
    public var streamARN: String
    /// The stream's label.
    public var streamLabel: String?
    /// `ENABLING`, `ENABLED`, `DISABLING` or `DISABLED`.
    public var streamStatus: String?
    /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`.
    public var streamViewType: String?
    /// The table's name.
    public var tableName: String?
    /// Every shard, in the order AWS listed them.
    public var shards: [DynamoDBStreamShard]

    /// Creates a description (for fakes and tests).
    /// - Parameters:
    ///   - streamARN: The stream's ARN.
    ///   - streamLabel: Its label.
    ///   - streamStatus: Its status.
    ///   - streamViewType: Its view type.
    ///   - tableName: Its table.
    ///   - shards: Its shards.
    public init(
        streamARN: String,
        streamLabel: String? = nil,
        streamStatus: String? = nil,
        streamViewType: String? = nil,
        tableName: String? = nil,
        shards: [DynamoDBStreamShard]
    ) {
        self.streamARN = streamARN
        self.streamLabel = streamLabel
        self.streamStatus = streamStatus
        self.streamViewType = streamViewType
        self.tableName = tableName
        self.shards = shards
    }
}
