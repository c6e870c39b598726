/// Unit of `ApproximateCreationDateTime` in Kinesis Data Streams for DynamoDB payloads.
public enum TimePrecision: String, Sendable, CaseIterable, Hashable {
    case millisecond = "MILLISECOND"
    case microsecond = "MICROSECOND"

    /// Decimal places of the unit relative to seconds (3 or 6).
    var scale: Int { self == .millisecond ? 3 : 6 }
}
