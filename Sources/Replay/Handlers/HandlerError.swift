/// A handler that cannot be used: the replay stops (records delivered so far stay delivered).
public struct HandlerError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case cannotStart, unreachable, protocolViolation, failureFileUnwritable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The handler's command could not be started, or exits before it answers again and again.
        public static let cannotStart = Code(.cannotStart)
        /// The endpoint does not answer (connection refused, DNS, TLS).
        public static let unreachable = Code(.unreachable)
        /// The handler answered outside its protocol in a way no retry can fix.
        public static let protocolViolation = Code(.protocolViolation)
        /// The on-failure file could not be written.
        public static let failureFileUnwritable = Code(.failureFileUnwritable)
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
}
