/// A Lambda FilterCriteria pattern that cannot be used: where in the pattern (a JSON path) and what AWS's
/// event-filtering rules expect there.
public struct FilterPatternError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of problem. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidJSON, invalidPattern, tooLong
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The pattern is not JSON.
        public static let invalidJSON = Code(.invalidJSON)
        /// The pattern is JSON but breaks a filter rule (an unknown operator, numeric without numbers, ...).
        public static let invalidPattern = Code(.invalidPattern)
        /// The pattern is longer than Lambda accepts (4096 characters).
        public static let tooLong = Code(.tooLong)
        public var description: String { base.rawValue }
    }

    /// What kind of problem.
    public let code: Code
    /// The JSON path inside the pattern (`dynamodb.NewImage.total.N[0].numeric`), empty for the whole pattern.
    public let path: String
    /// What was expected there.
    public let expectation: String

    /// Creates an error at `path` saying what was expected.
    public init(code: Code, path: String, expectation: String) {
        self.code = code
        self.path = path
        self.expectation = expectation
    }

    /// What happened and what to pass instead.
    public var message: String {
        let place = path.isEmpty ? "the pattern" : "'\(path)'"
        return "Filter pattern: at \(place): \(expectation). Patterns follow Lambda's event-filtering syntax (docs/SELECTION.md)."
    }

    public var description: String { message }
}
