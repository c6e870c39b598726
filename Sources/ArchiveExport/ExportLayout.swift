/// How an export lays out its files.
public enum ExportLayout: String, Sendable, CaseIterable, Hashable {
    /// `data/part-NNNNN.ndjson[.zst]` in the chosen record shape.
    case streamvault
    /// DynamoDB's incremental export to S3: `AWSDynamoDB/<exportId>/manifest-summary.json`, `manifest-files.json`
    /// and `data/*.json.gz`, one change per line (`Metadata.WriteTimestampMicros`, `Keys`, `NewImage`, `OldImage`).
    case dynamodbIncremental = "dynamodb-incremental"
}
