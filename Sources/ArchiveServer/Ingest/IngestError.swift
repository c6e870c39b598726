/// Why an ingest request was refused, with the HTTP status to answer.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    /// The bounded category of an ``IngestError``.
    public enum Code: String, Sendable {
        /// The body is not a valid batch (400).
        case badRequest
        /// The body is over `--max-body-bytes` (413).
        case tooLarge
        /// The server runs with `--read-only` (403).
        case readOnly
        /// Another writer holds the stream (409).
        case conflict
        /// The stream name or shard id is not valid (400).
        case invalidTarget
        /// Storing failed (500).
        case storeFailed
    }

    /// The bounded category.
    public let code: Code
    /// What happened and what to do.
    public let message: String

    /// The HTTP status to answer with.
    public var httpStatus: Int {
        switch code {
        case .badRequest, .invalidTarget: 400
        case .tooLarge: 413
        case .readOnly: 403
        case .conflict: 409
        case .storeFailed: 500
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func badRequest(_ message: String) -> IngestError { IngestError(code: .badRequest, message: message) }
}
