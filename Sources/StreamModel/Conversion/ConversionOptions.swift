/// Settings for ``RecordConverter``: the facts a target shape needs that the source shape may not carry.
///
/// Every field has a default, so `ConversionOptions()` converts between shapes that carry everything
/// (native <-> lambda-dynamodb <-> kinesis-record <-> lambda-kinesis). Converting *to* kds or a Kinesis shape from
/// a native record needs ``tableName`` (or a ``streamARN`` to derive it from). See docs/CONVERSION.md.
///
/// ```swift
/// var options = ConversionOptions()
/// options.tableName = "orders"
/// options.timePrecision = .microsecond
/// var converter = RecordConverter(from: .native, to: .kds, options: options)
/// ```
public struct ConversionOptions: Sendable, Equatable {
    /// `StreamViewType` written into native records when the source lacks it (kds, Kinesis shapes).
    /// `nil` derives it from the images present (see docs/CONVERSION.md, "StreamViewType").
    public var viewType: StreamViewType?
    /// Table name for kds payloads when the source does not name it; `nil` derives it from ``streamARN``
    /// or from the record's `eventSourceARN`.
    public var tableName: String?
    /// `awsRegion` when the source record has none; `nil` derives it from an ARN.
    public var region: String?
    /// DynamoDB stream ARN, written as `eventSourceARN` of lambda-dynamodb records that lack one.
    public var streamARN: String?
    /// Kinesis stream ARN, written as `eventSourceARN` of lambda-kinesis records that lack one.
    public var kinesisStreamARN: String?
    /// Precision of kds `ApproximateCreationDateTime` written from a native record, and assumed for kds input
    /// without `ApproximateCreationDateTimePrecision`. `nil`: keep a kds source's precision, else milliseconds.
    public var timePrecision: TimePrecision?
    /// `eventVersion` written into native records when the source lacks it. Default `"1.1"`.
    public var eventVersion: String
    /// Kinesis shard id used in lambda-kinesis `eventID` (`shardId-…:sequenceNumber`). Default `shardId-000000000000`.
    public var shardID: String
    /// `invokeIdentityArn` written into lambda-kinesis records that lack one; `nil` omits the field.
    public var invokeIdentityARN: String?

    /// Creates options; every parameter defaults to "derive or omit" (see each property).
    /// - Parameters:
    ///   - viewType: `StreamViewType` for native output from kds/Kinesis input.
    ///   - tableName: table name for kds output.
    ///   - region: `awsRegion` fallback.
    ///   - streamARN: DynamoDB stream ARN (lambda-dynamodb `eventSourceARN`; table and region derive from it).
    ///   - kinesisStreamARN: Kinesis stream ARN (lambda-kinesis `eventSourceARN`).
    ///   - timePrecision: kds time precision (default: milliseconds, or the kds source's own).
    ///   - eventVersion: native `eventVersion` fallback, default `"1.1"`.
    ///   - shardID: shard id for lambda-kinesis `eventID`, default `shardId-000000000000`.
    ///   - invokeIdentityARN: lambda-kinesis `invokeIdentityArn` fallback.
    public init(
        viewType: StreamViewType? = nil,
        tableName: String? = nil,
        region: String? = nil,
        streamARN: String? = nil,
        kinesisStreamARN: String? = nil,
        timePrecision: TimePrecision? = nil,
        eventVersion: String = "1.1",
        shardID: String = "shardId-000000000000",
        invokeIdentityARN: String? = nil
    ) {
        self.viewType = viewType
        self.tableName = tableName
        self.region = region
        self.streamARN = streamARN
        self.kinesisStreamARN = kinesisStreamARN
        self.timePrecision = timePrecision
        self.eventVersion = eventVersion
        self.shardID = shardID
        self.invokeIdentityARN = invokeIdentityARN
    }
}
