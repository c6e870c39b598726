public import AWSCore

/// Why an ``ArchiverService`` stopped: something a retry cannot fix.
///
/// ``code`` is bounded (a metric dimension, a `switch`); ``message`` says what happened and what to do next.
public struct ArchiverError: Error, Sendable, CustomStringConvertible {
    /// The bounded category of an ``ArchiverError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case awsCallFailed, invalidRecord, streamsFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An AWS call failed for good: a permanent error, or retries exhausted with `once`. ``ArchiverError/underlying`` has it.
        public static let awsCallFailed = Code(.awsCallFailed)
        /// The source sent a record that is not a change record; nothing after it was archived.
        public static let invalidRecord = Code(.invalidRecord)
        /// Streams of an ``ArchiverSupervisor`` whose archivers all run `once` failed (each reported by an event); the others finished.
        public static let streamsFailed = Code(.streamsFailed)

        /// The code's name, e.g. `awsCallFailed`.
        public var description: String { base.rawValue }
    }

    /// The bounded category.
    public let code: Code
    /// What went wrong and what to do next.
    public let message: String
    /// The AWS error behind it, if any.
    public let underlying: AWSError?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The bounded category.
    ///   - message: What went wrong and what to do next.
    ///   - underlying: The AWS error behind it.
    public init(code: Code, message: String, underlying: AWSError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `ArchiverError.<code>: <message>`.
    public var description: String { "ArchiverError.\(code): \(message)" }

    /// Turns an AWS error that retries did not fix into a message for the operator.
    static func permanent(_ error: AWSError, stream: String, action: String) -> ArchiverError {
        let hint: String
        switch error.code {
        case .resourceNotFound: hint = "The stream or table does not exist here: check its name, --region and --endpoint-url."
        case .accessDenied: hint = "The credentials may not do this: `streamvault archive --help` lists the IAM actions the archiver needs."
        case .streamDisabled: hint = "Enable the table's stream (NEW_AND_OLD_IMAGES is the most useful view), then run again."
        case .credentialsNotFound, .invalidConfiguration: hint = "Fix the AWS configuration (AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID...)."
        case .throttling, .serviceUnavailable, .connection:
            hint = "Retries were exhausted; the checkpoints are safe, so run again once the service answers."
        default: hint = "Nothing was lost: everything archived so far is committed, and a new run resumes from the checkpoints."
        }
        return ArchiverError(
            code: .awsCallFailed,
            message: "Archiving '\(stream)' stopped while \(action): \(error.message) \(hint)",
            underlying: error
        )
    }
}
