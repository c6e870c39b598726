public import StreamModel

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
