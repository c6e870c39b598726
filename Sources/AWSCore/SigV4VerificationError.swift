/// Why ``SigV4Verifier`` rejected a request.
///
/// ``code`` is bounded; ``message`` says what is wrong and what the client should do. ``awsErrorType`` is the
/// error type AWS answers with in the same case, for a server that speaks an AWS protocol.
public struct SigV4VerificationError: Error, Sendable, CustomStringConvertible {
    /// The bounded category of a ``SigV4VerificationError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingAuthorization, malformedAuthorization, missingDate, invalidScope, requestTimeSkewed, unknownAccessKey
            case signatureMismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No `Authorization` header.
        public static let missingAuthorization = Code(.missingAuthorization)
        /// The `Authorization` header is not SigV4, or lacks a part, or `host`/`x-amz-date` are not signed.
        public static let malformedAuthorization = Code(.malformedAuthorization)
        /// No (valid) `X-Amz-Date` header.
        public static let missingDate = Code(.missingDate)
        /// The credential scope names another date, region or service.
        public static let invalidScope = Code(.invalidScope)
        /// `X-Amz-Date` is too far from the server's clock.
        public static let requestTimeSkewed = Code(.requestTimeSkewed)
        /// The access key ID is unknown, or its session token is missing or wrong.
        public static let unknownAccessKey = Code(.unknownAccessKey)
        /// The signature is not the one the secret key gives for this request.
        public static let signatureMismatch = Code(.signatureMismatch)

        /// The code's name, e.g. `signatureMismatch`.
        public var description: String { base.rawValue }
    }

    /// The bounded category.
    public let code: Code
    /// What is wrong and what to do.
    public let message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The bounded category.
    ///   - message: What is wrong and what to do.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The AWS error type for the same failure (`MissingAuthenticationToken`, `IncompleteSignatureException`,
    /// `InvalidSignatureException`, `UnrecognizedClientException`, `SignatureDoesNotMatch`).
    public var awsErrorType: String {
        switch code {
        case .missingAuthorization: "MissingAuthenticationToken"
        case .malformedAuthorization, .missingDate: "IncompleteSignatureException"
        case .invalidScope, .requestTimeSkewed: "InvalidSignatureException"
        case .unknownAccessKey: "UnrecognizedClientException"
        default: "SignatureDoesNotMatch"
        }
    }

    /// `SigV4VerificationError.<code>: <message>`.
    public var description: String { "SigV4VerificationError.\(code): \(message)" }
}
