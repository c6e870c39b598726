/// Where a stream's segments live in a bucket: `s3://bucket/prefix` (DESIGN.md "Growing past one machine").
///
/// ```
/// <prefix>/<stream>/segments/<file>.ndjson.zst   the same bytes as the local segment file
/// <prefix>/<stream>/index/<file>.json            the segment's catalog rows (SegmentIndexObject), written after it
/// ```
public struct BucketLocation: Sendable, Equatable, CustomStringConvertible {
    /// The bucket name.
    public var bucket: String
    /// The key prefix without leading or trailing `/`; may be empty.
    public var prefix: String

    /// Parses `s3://bucket` or `s3://bucket/some/prefix`.
    /// - Throws: ``ArchiveError`` (`invalidArgument`) naming what is wrong.
    public init(parsing text: String) throws {
        guard text.hasPrefix("s3://") else {
            throw ArchiveError(
                code: .invalidArgument,
                message: "--segments '\(text)' is not a bucket location: expected s3://bucket/prefix (e.g. s3://my-archive/streamvault)."
            )
        }
        let rest = text.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(parts.first ?? "")
        let validBucket =
            (3...63).contains(bucket.utf8.count)
            && bucket.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E }
        guard validBucket else {
            throw ArchiveError(
                code: .invalidArgument,
                message: "--segments '\(text)': '\(bucket)' is not an S3 bucket name (3-63 lower-case letters, digits, '-' or '.')."
            )
        }
        var prefix = parts.count > 1 ? String(parts[1]) : ""
        while prefix.hasSuffix("/") { prefix.removeLast() }
        // SigV4 signs a normalized path: an empty, `.` or `..` part of a key would be signed as another key.
        let prefixParts = prefix.split(separator: "/", omittingEmptySubsequences: false)
        guard prefix.isEmpty || prefixParts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw ArchiveError(
                code: .invalidArgument,
                message:
                    "--segments '\(text)': the prefix '\(prefix)' has an empty, '.' or '..' part; use something like s3://bucket/streamvault/prod."
            )
        }
        self.bucket = bucket
        self.prefix = prefix
    }

    /// A location from its parts.
    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
    }

    /// `s3://bucket/prefix`.
    public var description: String { "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)") }

    private var base: String { prefix.isEmpty ? "" : prefix + "/" }

    /// The key of a stream's folder, ending in `/`.
    public func streamKey(_ stream: String) -> String { base + stream + "/" }
    /// The key of a segment's bytes.
    public func segmentKey(stream: String, fileName: String) -> String { base + stream + "/segments/" + fileName }
    /// The key of a segment's index object.
    public func indexKey(stream: String, fileName: String) -> String {
        base + stream + "/index/" + fileName.replacingSuffix(".ndjson.zst", with: ".json")
    }
    /// The prefix under which a stream's index objects are listed.
    public func indexPrefix(stream: String) -> String { base + stream + "/index/" }
    /// The key to list a stream's index objects after (ListObjectsV2 `start-after`) to see the segments created at
    /// or after `millis` (segment names start with their creation time), by any node.
    public func indexKeysCreated(stream: String, sinceMillis millis: Int64) -> String {
        indexPrefix(stream: stream) + ISO8601Stamp.compact(millis)
    }
    /// The prefix under which every stream is listed.
    public var streamsPrefix: String { base }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
