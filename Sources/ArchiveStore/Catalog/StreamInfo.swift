/// A stream as the catalog knows it.
public struct StreamInfo: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var source: StreamSourceKind
    public var arn: String?
    public var region: String?
    public var tableName: String?
    public var viewType: String?
    public var retentionDays: Int
    public var maxBlockSpanMillis: Int64
    public var createdAt: Int64
}
