/// Why an ``ArchiverService`` stopped: something a retry cannot fix.
public struct ArchiverError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do next.
    public let message: String
    /// The AWS error behind it, if any.
    public let underlying: AWSError?

    /// Creates an error.
    /// - Parameters:
    ///   - message: What went wrong and what to do next.
    ///   - underlying: The AWS error behind it.
    public init(_ message: String, underlying: AWSError? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }

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
        return ArchiverError("Archiving '\(stream)' stopped while \(action): \(error.message) \(hint)", underlying: error)
    }
}
