/// What `streamvault snapshot` writes: a table's items as of one moment, rebuilt from archived images.
public struct SnapshotRequest: Sendable {
    /// File layout of a snapshot.
    public enum Layout: String, Sendable, CaseIterable, Hashable {
        /// `data/items-NNNNN.json[.gz|.zst]`, one `{"Item":{...}}` line per item, manifest.json and SHA256SUMS.
        case streamvault
        /// DynamoDB's export to S3 (`AWSDynamoDB/<exportId>/manifest-summary.json`, `manifest-files.json`,
        /// `data/*.json.gz`), the input DynamoDB's Import from S3 accepts; manifest.json and SHA256SUMS beside it.
        case dynamodbExport = "dynamodb-export"
    }

    /// The archive's stream name.
    public var stream: String
    /// The moment, epoch ms: every change at or before it counts.
    public var at: Int64
    /// File layout; default ``Layout/streamvault``.
    public var layout: Layout
    /// gzip (default; what DynamoDB's exports use) or zstd (Import from S3 reads both).
    public var compression: ExportCompression
    /// Write the snapshot even when the archive cannot prove it complete; the reasons go into the manifest.
    public var allowGaps: Bool
    /// The most items in one data file.
    public var maxFileItems: Int
    /// The version written into the manifest.
    public var toolVersion: String
    /// The archive's audit-chain head, written as `auditChainHead`.
    public var auditHead: String?

    public init(
        stream: String,
        at: Int64,
        layout: Layout = .streamvault,
        compression: ExportCompression = .gzip,
        allowGaps: Bool = false,
        maxFileItems: Int = 1_000_000,
        toolVersion: String = "0.1.0",
        auditHead: String? = nil
    ) {
        self.stream = stream
        self.at = at
        self.layout = layout
        self.compression = compression
        self.allowGaps = allowGaps
        self.maxFileItems = maxFileItems
        self.toolVersion = toolVersion
        self.auditHead = auditHead
    }
}
