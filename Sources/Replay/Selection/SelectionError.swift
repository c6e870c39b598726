/// A record selection that cannot be used as given (`--key`, TTL options): what was wrong and what to pass.
public struct SelectionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of problem. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidKey, conflictingOptions
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A key attribute is not `name=value`, `name:N=number` or `name:B=base64`.
        public static let invalidKey = Code(.invalidKey)
        /// Two selections exclude each other (only and exclude TTL deletes).
        public static let conflictingOptions = Code(.conflictingOptions)
        public var description: String { base.rawValue }
    }

    /// What kind of problem.
    public let code: Code
    /// What happened and what to pass instead.
    public let message: String

    /// Creates an error; `message` says what to pass instead.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
