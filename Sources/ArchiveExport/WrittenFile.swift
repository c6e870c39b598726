/// A file an export wrote and synced: its size and digests, taken over the bytes on disk.
public struct WrittenFile: Sendable, Equatable {
    /// The path relative to the export's directory (`data/part-00001.ndjson.zst`).
    public var name: String
    /// Bytes on disk.
    public var size: Int
    /// Hex SHA-256 of the bytes on disk.
    public var sha256: String
    /// MD5 of the bytes on disk (DynamoDB's manifests carry it: base64 as `md5Checksum`, hex as `etag`).
    public var md5: [UInt8]
}
