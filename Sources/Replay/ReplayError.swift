/// An error from a replay: a bounded ``Code`` for matching and metrics, and a message that says what to do.
///
/// A replay that meets damage stops there and throws ``Code/damagedBlock`` *after* every record before the
/// damage went to the sink; ``damage`` says where, ``statistics`` what was delivered.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case damagedBlock, invalidSelection, conversionFailed, unsupportedFormat
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A block could not be read or decoded, or its records do not match its catalog row.
        public static let damagedBlock = Code(.damagedBlock)
        /// The selection cannot be answered as given (a time out of range, from after to, ...).
        public static let invalidSelection = Code(.invalidSelection)
        /// An archived record did not convert to the requested shape.
        public static let conversionFailed = Code(.conversionFailed)
        /// A stage cannot work on records stored in this shape.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public let code: Code
    /// What happened and what to do next.
    public let message: String
    /// Where the damage is, for ``Code/damagedBlock``.
    public let damage: ReplayDamage?
    /// What the run had done when it stopped (records before the damage were delivered).
    public let statistics: ReplayStatistics?

    /// Creates an error; `message` says what happened and what to do.
    public init(code: Code, message: String, damage: ReplayDamage? = nil, statistics: ReplayStatistics? = nil) {
        self.code = code
        self.message = message
        self.damage = damage
        self.statistics = statistics
    }

    public var description: String { message }

    static func damaged(_ damage: ReplayDamage, statistics: ReplayStatistics) -> ReplayError {
        ReplayError(
            code: .damagedBlock,
            message: "Replay stopped at damage: \(damage). The \(statistics.recordsDelivered) records before it were written. "
                + "Run `streamvault verify` to list all damage; restore the segment from a copy if you have one.",
            damage: damage,
            statistics: statistics
        )
    }
}
