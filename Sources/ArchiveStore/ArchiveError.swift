/// An error from the archive: a bounded ``Code`` for matching and metrics, and a message that says what to do.
///
/// Messages never carry record payloads; they name files, segments, blocks and lines.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case locked, segmentCorrupt, catalogMismatch, io, invalidInput, unknownStream, unknownShard, compression, invalidArgument
            case catalogCorrupt, catalogOutdated, catalogMissing, auditLogDamaged
            case objectStore
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// Another process holds the stream's writer lock.
        public static let locked = Code(.locked)
        /// A segment's bytes do not match what the catalog says (checksum, length, metadata).
        public static let segmentCorrupt = Code(.segmentCorrupt)
        /// The catalog and the files disagree (missing file, unindexed file).
        public static let catalogMismatch = Code(.catalogMismatch)
        /// A catalog row holds a value of the wrong type or out of range, or SQLite finds the catalog damaged.
        public static let catalogCorrupt = Code(.catalogCorrupt)
        /// The catalog needs a migration that only a writer may run (readers open it read-only).
        public static let catalogOutdated = Code(.catalogOutdated)
        /// Segment files exist but the catalog that indexes them does not (run `streamvault catalog rebuild`).
        public static let catalogMissing = Code(.catalogMissing)
        /// The audit log cannot be read or extended (`streamvault verify` names the broken entry).
        public static let auditLogDamaged = Code(.auditLogDamaged)
        /// A file operation failed.
        public static let io = Code(.io)
        /// The bucket (S3 or compatible) refused or failed a request, or holds something other than what was uploaded.
        public static let objectStore = Code(.objectStore)
        /// Input records are malformed.
        public static let invalidInput = Code(.invalidInput)
        /// No such stream in the archive.
        public static let unknownStream = Code(.unknownStream)
        /// No such shard in the stream.
        public static let unknownShard = Code(.unknownShard)
        /// zstd refused to compress or decompress.
        public static let compression = Code(.compression)
        /// A caller passed a value out of range.
        public static let invalidArgument = Code(.invalidArgument)
        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What happened and what to do next.
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func io(_ what: String, path: String, errno: Int32) -> ArchiveError {
        ArchiveError(code: .io, message: "\(what) '\(path)' failed: \(String(cString: strerror(errno))) (errno \(errno)).")
    }

    static func locked(stream: String, pid: Int32?, lockPath: String) -> ArchiveError {
        let who = pid.map { "pid \($0)" } ?? "another process"
        return ArchiveError(
            code: .locked,
            message: "Archive stream '\(stream)' is locked by \(who) (lock file \(lockPath)). Wait for that process to finish, or stop it; "
                + "only one writer per stream at a time."
        )
    }

    static func unknownStream(_ name: String, known: [String]) -> ArchiveError {
        let hint = known.isEmpty ? "The archive is empty: ingest or archive something first." : "Known streams: \(known.joined(separator: ", "))."
        return ArchiveError(code: .unknownStream, message: "No stream named '\(name)' in the archive. \(hint)")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
