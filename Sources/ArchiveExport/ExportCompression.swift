/// How export and snapshot data files are compressed.
public enum ExportCompression: String, Sendable, CaseIterable, Hashable {
    /// Plain NDJSON (`--no-compress`).
    case none
    /// One zstd stream per file with content checksums (`zstd -dc` reads it); the default.
    case zstd
    /// gzip, as DynamoDB's exports to S3 write it (`gunzip -c`, Athena and Glue read it).
    case gzip

    /// The file name suffix after `.json`/`.ndjson`: `""`, `".zst"` or `".gz"`.
    public var fileExtension: String {
        switch self {
        case .none: ""
        case .zstd: ".zst"
        case .gzip: ".gz"
        }
    }

    /// The compression a data file's name says it has.
    public static func of(fileName: String) -> ExportCompression {
        if fileName.hasSuffix(".zst") { return .zstd }
        if fileName.hasSuffix(".gz") { return .gzip }
        return .none
    }
}
