public import StreamModel

/// A filter from a closure, for one-off rules and tests.
public struct ClosureFilter: RecordFilter {
    private let body: (UnsafeBufferPointer<UInt8>, RecordFormat) throws -> Bool

    /// - Parameter body: returns whether a record (archived bytes and shape) is delivered.
    public init(_ body: @escaping (UnsafeBufferPointer<UInt8>, RecordFormat) throws -> Bool) { self.body = body }

    public mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool {
        try body(record, format)
    }
}
