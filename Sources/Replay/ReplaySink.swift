public import StreamModel

/// The last stage of a ``ReplayPipeline``: where records go. NDJSON on a file descriptor today
/// (``NDJSONSink``); Lambda handlers, export files and GetRecords pages later.
public protocol ReplaySink {
    /// Takes one record. Called in replay order.
    /// - Returns: `false` to stop the replay after this record (the reader went away, a page is full).
    /// - Throws: a failure that ends the replay (the error reaches the pipeline's caller unchanged).
    mutating func deliver(_ record: ReplayRecord) throws -> Bool
}

/// Writes each record and a newline to a ``BufferedOutput`` (what `streamvault replay` prints).
///
/// Call ``BufferedOutput/flush()`` when the run ends, damage included: the pipeline leaves buffering to the sink.
public struct NDJSONSink: ReplaySink {
    /// Where the lines go.
    public let output: BufferedOutput

    /// Writes to `output`.
    public init(_ output: BufferedOutput) { self.output = output }

    @inline(__always)
    public mutating func deliver(_ record: ReplayRecord) throws -> Bool {
        output.buffer.append(contentsOf: record.bytes)
        output.buffer.append(0x0A)
        try output.flushIfNeeded()
        return !output.isClosed
    }
}
