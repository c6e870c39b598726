public import StreamModel

/// One record as a ``ReplaySink`` receives it: its bytes in the output shape, and the stored record behind it.
///
/// The buffers are valid only during ``ReplaySink/deliver(_:)``; copy what must outlive the call.
public struct ReplayRecord {
    /// The record in the pipeline's output shape (compact JSON, no newline).
    public var bytes: UnsafeBufferPointer<UInt8>
    /// The output shape.
    public var format: RecordFormat
    /// The record as archived (the same bytes as ``bytes`` when no conversion was asked for).
    public var stored: UnsafeBufferPointer<UInt8>
    /// The archived shape.
    public var storedFormat: RecordFormat
    /// The source's shard id.
    public var shardID: String

    /// The stored record's sequence number (digits, a view into ``stored``) and event time in epoch ms,
    /// found on demand (a short scan; the pipeline does not parse records it can pass through whole).
    public func locate() -> (sequenceNumber: UnsafeBufferPointer<UInt8>, eventTimeMillis: Int64)? {
        guard let facts = StoredRecordFacts.locate(stored, storedFormat) else { return nil }
        return (UnsafeBufferPointer(rebasing: stored[facts.sequence]), facts.timeMillis)
    }
}
