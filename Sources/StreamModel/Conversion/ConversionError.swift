/// Why a conversion run stopped: a bad record, broken input structure, or an I/O failure.
public struct ConversionError: Error, Sendable, CustomStringConvertible {
    /// A bounded error code, for metrics and exit handling.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case invalidRecord, malformedInput, recordTooLarge, readFailed, writeFailed }
        private let base: Base
        /// A record does not have the source shape (the message names its line and JSON path).
        public static let invalidRecord = Code(base: .invalidRecord)
        /// The input is not records: brackets or commas between records are broken.
        public static let malformedInput = Code(base: .malformedInput)
        /// A record is longer than the maximum record size.
        public static let recordTooLarge = Code(base: .recordTooLarge)
        /// Reading the input failed.
        public static let readFailed = Code(base: .readFailed)
        /// Writing the output failed.
        public static let writeFailed = Code(base: .writeFailed)
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What happened and what to do next; never contains record payloads.
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
