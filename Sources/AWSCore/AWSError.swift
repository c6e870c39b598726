/// An error from an AWS call or from finding the AWS configuration.
///
/// ``code`` is bounded (safe as a metric dimension and for `switch`-like decisions); ``message``
/// says what happened and what to do next. Messages never carry credentials or record payloads.
///
/// ```swift
/// do { _ = try await streams.getRecords(shardIterator: iterator) }
/// catch let error as AWSError where error.code == .expiredIterator { /* re-acquire from the checkpoint */ }
/// ```
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// The bounded category of an ``AWSError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case throttling, expiredIterator, trimmedData, resourceNotFound, accessDenied, validation
            case serviceUnavailable, connection, invalidResponse, streamDisabled, credentialsNotFound
            case invalidConfiguration, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request rate or throughput was too high (`ProvisionedThroughputExceededException`,
        /// `LimitExceededException`, `ThrottlingException`, …). Retried with backoff.
        public static let throttling = Code(.throttling)
        /// The shard iterator expired (`ExpiredIteratorException`): get a new one from the checkpoint.
        public static let expiredIterator = Code(.expiredIterator)
        /// The requested records are past the stream's retention (`TrimmedDataAccessException`): record a gap.
        public static let trimmedData = Code(.trimmedData)
        /// The stream, shard or table does not exist (`ResourceNotFoundException`).
        public static let resourceNotFound = Code(.resourceNotFound)
        /// The credentials were rejected or lack permission (`AccessDeniedException`, `UnrecognizedClientException`, …).
        public static let accessDenied = Code(.accessDenied)
        /// The request was malformed (`ValidationException`, `InvalidArgumentException`, …).
        public static let validation = Code(.validation)
        /// The service failed (HTTP 5xx, `InternalServerError`, `ServiceUnavailable`). Retried with backoff.
        public static let serviceUnavailable = Code(.serviceUnavailable)
        /// The connection failed or the call timed out before an answer. Retried with backoff.
        public static let connection = Code(.connection)
        /// A successful answer could not be decoded.
        public static let invalidResponse = Code(.invalidResponse)
        /// The table has no stream enabled.
        public static let streamDisabled = Code(.streamDisabled)
        /// No credentials were found in the environment or the shared files.
        public static let credentialsNotFound = Code(.credentialsNotFound)
        /// The configuration (region, endpoint, profile files) is missing or malformed.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Any other AWS error; ``AWSError/awsType`` names it.
        public static let other = Code(.other)

        /// The code's name, e.g. `expiredIterator`.
        public var description: String { base.rawValue }
    }

    /// The bounded category.
    public let code: Code
    /// What happened and what to do next.
    public let message: String
    /// The AWS error type without its namespace (e.g. `TrimmedDataAccessException`), when AWS named one.
    public let awsType: String?
    /// The HTTP status of the answer, when there was one.
    public let httpStatus: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The bounded category.
    ///   - message: What happened and what to do next.
    ///   - awsType: The AWS error type, if any.
    ///   - httpStatus: The HTTP status, if any.
    public init(code: Code, message: String, awsType: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.awsType = awsType
        self.httpStatus = httpStatus
    }

    /// Whether retrying the same request later can succeed (throttling, 5xx, connection failures).
    public var isRetryable: Bool {
        code == .throttling || code == .serviceUnavailable || code == .connection
    }

    /// `AWSError.<code>: <message>` plus the AWS type and HTTP status when known.
    public var description: String {
        var text = "AWSError.\(code): \(message)"
        if let awsType {
            text += " [\(awsType)" + (httpStatus.map { ", HTTP \($0)" } ?? "") + "]"
        } else if let httpStatus {
            text += " [HTTP \(httpStatus)]"
        }
        return text
    }
}

extension AWSError {
    /// Maps an AWS error type name (namespace already removed) and HTTP status to a ``Code``.
    static func code(forAWSType type: String?, httpStatus: Int) -> Code {
        switch type {
        case "ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException", "Throttling",
            "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException", "KMSThrottlingException",
            "RequestThrottled", "RequestThrottledException", "SlowDown":
            return .throttling
        case "ExpiredIteratorException":
            return .expiredIterator
        case "TrimmedDataAccessException":
            return .trimmedData
        case "ResourceNotFoundException":
            return .resourceNotFound
        case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationToken",
            "IncompleteSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch",
            "KMSAccessDeniedException":
            return .accessDenied
        case "ValidationException", "InvalidArgumentException", "SerializationException", "ExpiredNextTokenException",
            "InvalidParameterValueException", "MissingParameter":
            return .validation
        case "InternalServerError", "InternalFailure", "InternalServerErrorException", "ServiceUnavailable",
            "ServiceUnavailableException":
            return .serviceUnavailable
        default:
            if httpStatus >= 500 { return .serviceUnavailable }
            if httpStatus == 429 { return .throttling }
            if type == nil && (httpStatus == 401 || httpStatus == 403) { return .accessDenied }
            return .other
        }
    }

    /// What to do next for each code, appended to AWS's own message.
    static func advice(for code: Code) -> String {
        switch code {
        case .throttling: return "Retries were exhausted; lower the read rate or raise the stream's capacity, then run again."
        case .expiredIterator: return "Shard iterators expire after 15 minutes; get a new one from the last checkpoint."
        case .trimmedData: return "These records are older than the stream's retention; record a gap and continue from TRIM_HORIZON."
        case .resourceNotFound: return "Check the stream/table name or ARN, the region and the endpoint URL."
        case .accessDenied: return "Check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that their policy allows this action."
        case .validation: return "The request was rejected as malformed; this is a bug or an unsupported parameter value."
        case .serviceUnavailable: return "The service failed repeatedly; check its health (or the emulator's log) and run again."
        default: return ""
        }
    }
}
