#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from export, verify-export or snapshot: a bounded ``Code`` for matching, and a message that
/// says what happened and what to do next (never record payloads).
public struct ExportError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case outputNotEmpty, io, compression, invalidRequest, invalidRecord, incomplete, invalidExport
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The output directory exists and holds files: exports never overwrite.
        public static let outputNotEmpty = Code(.outputNotEmpty)
        /// A file could not be created, written, synced or renamed.
        public static let io = Code(.io)
        /// zstd or gzip failed (or a file does not decompress).
        public static let compression = Code(.compression)
        /// The request cannot be answered as given (a bad range, a layout that needs another record shape).
        public static let invalidRequest = Code(.invalidRequest)
        /// An archived record lacks what the output needs (its keys, its image).
        public static let invalidRecord = Code(.invalidRecord)
        /// The archive cannot prove a snapshot complete (a gap, a view type without new images, missing history).
        public static let incomplete = Code(.incomplete)
        /// A directory given to verify-export is not an export (no manifest, a manifest that does not parse).
        public static let invalidExport = Code(.invalidExport)
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public let code: Code
    /// What happened and what to do next.
    public let message: String

    /// Creates an error; `message` says what happened and what to do.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func io(_ action: String, path: String, errno code: Int32) -> ExportError {
        ExportError(
            code: .io,
            message: "\(action) '\(path)' failed: \(String(cString: strerror(code))) (errno \(code)). Check the path, its permissions and free space."
        )
    }
}
