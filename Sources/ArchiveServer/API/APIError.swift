/// An error answered by the DynamoDB Streams or Kinesis API, in AWS's shape: `{"__type":"…","message":"…"}`
/// with the HTTP status AWS uses, so SDKs (botocore reads `__type`) map it to the same exception.
///
/// ``code`` is bounded (a metric dimension); ``message`` says what was wrong and what to send instead.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The bounded category of an ``APIError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case validation, resourceNotFound, expiredIterator, trimmedDataAccess, unknownOperation, serialization
            case accessDenied, internalFailure
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A parameter is missing or wrong (`ValidationException`; Kinesis: `InvalidArgumentException`).
        public static let validation = Code(.validation)
        /// No such stream or shard in the archive (`ResourceNotFoundException`).
        public static let resourceNotFound = Code(.resourceNotFound)
        /// The shard iterator is older than its lifetime (`ExpiredIteratorException`).
        public static let expiredIterator = Code(.expiredIterator)
        /// The iterator points before data the archive holds (`TrimmedDataAccessException`; Kinesis answers
        /// `InvalidArgumentException` for a sequence number outside the shard, as AWS does).
        public static let trimmedDataAccess = Code(.trimmedDataAccess)
        /// `X-Amz-Target` names no operation this server has (`UnknownOperationException`).
        public static let unknownOperation = Code(.unknownOperation)
        /// The body is not a JSON object (`SerializationException`).
        public static let serialization = Code(.serialization)
        /// SigV4 verification failed (the verifier's AWS error type).
        public static let accessDenied = Code(.accessDenied)
        /// The archive could not be read (`InternalFailure`, HTTP 500).
        public static let internalFailure = Code(.internalFailure)

        public var description: String { base.rawValue }
    }

    /// The bounded category.
    public let code: Code
    /// What was wrong and what to do.
    public let message: String
    /// The AWS error type when it is not the code's usual one (SigV4 failures).
    let typeOverride: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The bounded category.
    ///   - message: What was wrong and what to do.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
        self.typeOverride = nil
    }

    init(code: Code, message: String, type: String) {
        self.code = code
        self.message = message
        self.typeOverride = type
    }

    /// The `__type` AWS answers with for this error on `api`.
    public func awsType(for api: StreamAPI) -> String {
        if let typeOverride { return typeOverride }
        switch code {
        case .validation: return api == .kinesis ? "InvalidArgumentException" : "ValidationException"
        case .resourceNotFound: return "ResourceNotFoundException"
        case .expiredIterator: return "ExpiredIteratorException"
        case .trimmedDataAccess: return api == .kinesis ? "InvalidArgumentException" : "TrimmedDataAccessException"
        case .unknownOperation: return "UnknownOperationException"
        case .serialization: return "SerializationException"
        case .accessDenied: return "AccessDeniedException"
        default: return "InternalFailure"
        }
    }

    /// The HTTP status AWS answers with: 400 for the caller's mistakes, 403 for authentication, 500 for ours.
    public var httpStatus: Int {
        switch code {
        case .accessDenied: return 403
        case .internalFailure: return 500
        default: return 400
        }
    }

    public var description: String { "\(code): \(message)" }

    static func validation(_ message: String) -> APIError { APIError(code: .validation, message: message) }

    static func missing(_ field: String, _ operation: String) -> APIError {
        .validation("\(operation): the request has no '\(field)'; it is required.")
    }
}
