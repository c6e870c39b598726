/// The stream an ``ArchiverService`` reads.
///
/// ```swift
/// let source = ArchiverSource.dynamoDBTable("Orders", dynamoDB: dynamodb, streams: streams)
/// let source = ArchiverSource.dynamoDBStream(arn, streams: streams)
/// let source = ArchiverSource.kinesis("orders-cdc", api: kinesis)
/// ```
public struct ArchiverSource: Sendable {
    enum Kind: Sendable {
        case dynamoDB(api: any DynamoDBStreamsAPI, resolveARN: @Sendable () async throws -> String, table: String?)
        case kinesis(api: any KinesisAPI, stream: KinesisStreamIdentifier)
    }

    let kind: Kind

    /// A table's current DynamoDB stream, found with `DescribeTable` when the archiver starts.
    /// - Parameters:
    ///   - table: The table's name or ARN.
    ///   - dynamoDB: The DynamoDB client.
    ///   - streams: The DynamoDB Streams API.
    /// - Returns: The source.
    public static func dynamoDBTable(_ table: String, dynamoDB: DynamoDBClient, streams: any DynamoDBStreamsAPI) -> ArchiverSource {
        ArchiverSource(kind: .dynamoDB(api: streams, resolveARN: { try await dynamoDB.latestStreamARN(tableName: table) }, table: table))
    }

    /// A DynamoDB stream by ARN.
    /// - Parameters:
    ///   - streamARN: The stream's ARN.
    ///   - streams: The DynamoDB Streams API.
    /// - Returns: The source.
    public static func dynamoDBStream(_ streamARN: String, streams: any DynamoDBStreamsAPI) -> ArchiverSource {
        ArchiverSource(kind: .dynamoDB(api: streams, resolveARN: { streamARN }, table: nil))
    }

    /// A Kinesis data stream fed by Kinesis Data Streams for DynamoDB.
    /// - Parameters:
    ///   - stream: The stream's name or ARN.
    ///   - api: The Kinesis API.
    /// - Returns: The source.
    public static func kinesis(_ stream: KinesisStreamIdentifier, api: any KinesisAPI) -> ArchiverSource {
        ArchiverSource(kind: .kinesis(api: api, stream: stream))
    }
}
