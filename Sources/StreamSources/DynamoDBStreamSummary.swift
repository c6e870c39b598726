/// A stream listed by DynamoDB Streams `ListStreams`.
public struct DynamoDBStreamSummary: Sendable, Hashable, Codable {
    /// The stream's ARN.
    public var streamARN: String
    /// The table the stream belongs to.
    public var tableName: String?
    /// The stream's label (a timestamp), which tells apart successive streams of one table.
    public var streamLabel: String?

    enum CodingKeys: String, CodingKey {
        case streamARN = "StreamArn"
        case tableName = "TableName"
        case streamLabel = "StreamLabel"
    }
}
