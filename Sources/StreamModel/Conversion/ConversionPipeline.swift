/// Converts a whole input: splits it into records, converts each, and writes NDJSON or Lambda-style batches.
///
/// This is what `streamvault convert` runs; it is a library type so other front ends (a server endpoint, a
/// replay to stdout) get the same behaviour.
///
/// ```swift
/// var pipeline = ConversionPipeline(converter: RecordConverter(from: .native, to: .kds, options: options))
/// let summary = try pipeline.run(input: RecordInputReader(fileDescriptor: 0), output: BufferedOutput(fileDescriptor: 1))
/// ```
public struct ConversionPipeline {
    /// The per-record converter.
    public var converter: RecordConverter
    /// `nil` writes one record per line (NDJSON); `n` writes `{"Records":[...]}` events of up to `n` records, one per line.
    public var batchSize: Int?
    /// Whether a bad record is reported through `onInvalid` and skipped (`true`) or stops the run (`false`).
    public var skipInvalid: Bool

    /// Counts from a finished run.
    public struct Summary: Sendable, Equatable {
        /// Records converted and written.
        public var converted = 0
        /// Records skipped as invalid.
        public var skipped = 0
    }

    /// - Parameters:
    ///   - converter: the per-record converter.
    ///   - batchSize: records per Lambda-style event; `nil` for NDJSON.
    ///   - skipInvalid: skip bad records instead of stopping.
    public init(converter: RecordConverter, batchSize: Int? = nil, skipInvalid: Bool = false) {
        self.converter = converter
        self.batchSize = batchSize
        self.skipInvalid = skipInvalid
    }

    /// Converts every record of `input` into `output`, then flushes it.
    /// - Parameters:
    ///   - onInvalid: called for a skipped record with the message (`line 3: Records[2].dynamodb.Keys: missing`)
    ///     and the record's bytes; only when ``skipInvalid`` is set.
    /// - Throws: ``ConversionError``: `invalidRecord` naming the line and JSON path, `malformedInput`,
    ///   `recordTooLarge`, or I/O failures.
    public mutating func run(
        input: RecordInputReader,
        output: BufferedOutput,
        onInvalid: (String, UnsafeBufferPointer<UInt8>) -> Void = { _, _ in }
    ) throws -> Summary {
        var summary = Summary()
        var inBatch = 0
        let batchSize = self.batchSize ?? 0
        let skipInvalid = self.skipInvalid
        var converter = self.converter
        defer { self.converter = converter }
        /// Thrown to leave the read loop once nobody reads the output any more.
        struct OutputClosed: Error {}
        do {
            try input.forEachRecord { record, location in
                let mark = output.buffer.count
                if batchSize > 0 {
                    output.buffer.appendLiteral(inBatch == 0 ? "{\"Records\":[" : ",")
                }
                do throws(ShapeError) {
                    try converter.convert(record, into: &output.buffer)
                } catch {
                    output.buffer.removeSubrange(mark...)
                    let message = location.describe(error)
                    guard skipInvalid else { throw ConversionError(code: .invalidRecord, message: message) }
                    onInvalid(message, record)
                    summary.skipped += 1
                    return
                }
                summary.converted += 1
                if batchSize > 0 {
                    inBatch += 1
                    if inBatch == batchSize {
                        output.buffer.appendLiteral("]}\n")
                        inBatch = 0
                    }
                } else {
                    output.buffer.append(0x0A)
                }
                try output.flushIfNeeded()
                if output.isClosed { throw OutputClosed() }
            }
        } catch is OutputClosed {
            return summary
        } catch let error as RecordInputError {
            let code: ConversionError.Code
            switch error.code {
            case .recordTooLarge: code = .recordTooLarge
            case .readFailed: code = .readFailed
            default: code = .malformedInput
            }
            throw ConversionError(code: code, message: error.message)
        }
        if inBatch > 0 { output.buffer.appendLiteral("]}\n") }
        try output.flush()
        return summary
    }
}
