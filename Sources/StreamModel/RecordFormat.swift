/// The shapes a change record can take (see docs/FORMAT.md for each one's fields).
public enum RecordFormat: String, Sendable, CaseIterable, Hashable {
    /// A DynamoDB Streams GetRecords item.
    case native
    /// One record of a Lambda DynamoDB event (`{"Records":[...]}`): native plus `eventSourceARN`.
    case lambdaDynamoDB = "lambda-dynamodb"
    /// A Kinesis Data Streams for DynamoDB payload (the decoded `Data` of a Kinesis record).
    case kds
    /// A Kinesis GetRecords item whose base64 `Data` is a ``kds`` payload.
    case kinesisRecord = "kinesis-record"
    /// One record of a Lambda Kinesis event (`Records[].kinesis{...}`).
    case lambdaKinesis = "lambda-kinesis"
    /// Unmarshalled images as plain JSON, for people and for jq.
    case plain
}
