public import StreamModel

/// What `streamvault export` writes: a stream's records in an event-time range, in one shape and layout.
public struct ExportRequest: Sendable {
    /// The archive's stream name.
    public var stream: String
    /// Earliest event time, inclusive, epoch ms (`nil`: from the start).
    public var from: Int64?
    /// Latest event time, exclusive, epoch ms (`nil`: to the end).
    public var to: Int64?
    /// The record shape of the data lines (``ExportLayout/streamvault`` only); default native.
    public var format: RecordFormat
    /// File layout; default ``ExportLayout/streamvault``.
    public var layout: ExportLayout
    /// Data file compression; default zstd (``ExportLayout/dynamodbIncremental`` always writes gzip, as AWS does).
    public var compression: ExportCompression
    /// Only these event kinds (empty: all).
    public var eventNames: [EventName]
    /// The most records in one data file (default 1,000,000); a file also ends where its shard does.
    public var maxFileRecords: Int
    /// The version written into the manifest.
    public var toolVersion: String
    /// The archive's audit-chain head at export time, written as `auditChainHead` (`nil` writes null).
    public var auditHead: String?

    /// Creates a request; everything but the stream has a default.
    public init(
        stream: String,
        from: Int64? = nil,
        to: Int64? = nil,
        format: RecordFormat = .native,
        layout: ExportLayout = .streamvault,
        compression: ExportCompression = .zstd,
        eventNames: [EventName] = [],
        maxFileRecords: Int = 1_000_000,
        toolVersion: String = "0.1.0",
        auditHead: String? = nil
    ) {
        self.stream = stream
        self.from = from
        self.to = to
        self.format = format
        self.layout = layout
        self.compression = compression
        self.eventNames = eventNames
        self.maxFileRecords = maxFileRecords
        self.toolVersion = toolVersion
        self.auditHead = auditHead
    }

    /// The compression data files get (gzip for the DynamoDB layout).
    var effectiveCompression: ExportCompression { layout == .dynamodbIncremental ? .gzip : compression }
}
