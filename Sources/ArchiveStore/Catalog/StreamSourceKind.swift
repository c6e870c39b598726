/// Where a stream's records come from.
public enum StreamSourceKind: String, Sendable, CaseIterable {
    /// Files or stdin given to `streamvault ingest`.
    case file
    /// DynamoDB Streams read by the archiver.
    case dynamodbStreams = "dynamodb-streams"
    /// Kinesis Data Streams for DynamoDB read by the archiver.
    case kinesis
}
