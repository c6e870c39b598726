/// Why a ``RecordInputReader`` could not hand out the next record: the input's structure is broken, a record is
/// longer than the limit, or reading failed. Problems inside a record are the caller's (a ``ShapeError``).
public struct RecordInputError: Error, Sendable, CustomStringConvertible {
    /// A bounded error code, for metrics and exit handling.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case malformedInput, recordTooLarge, readFailed }
        private let base: Base
        /// Brackets or commas between records are broken, or the input ends inside a container.
        public static let malformedInput = Code(base: .malformedInput)
        /// A record is longer than ``RecordInputReader/maxRecordBytes``.
        public static let recordTooLarge = Code(base: .recordTooLarge)
        /// `read(2)` failed.
        public static let readFailed = Code(base: .readFailed)
        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The 1-based line of the input where the problem is.
    public let line: Int
    /// What happened and what to do, without the line.
    public let reason: String

    public init(code: Code, line: Int, reason: String) {
        self.code = code
        self.line = line
        self.reason = reason
    }

    /// `line 12: <reason>`.
    public var message: String { "line \(line): \(reason)" }
    public var description: String { message }
}
