public import Replay
public import StreamModel

/// Several ``RecordFilter``s as one: a record passes when every filter accepts it (checked in order).
public struct FilterChain: RecordFilter {
    private var filters: [any RecordFilter]

    /// - Parameter filters: applied in order; empty accepts everything.
    public init(_ filters: [any RecordFilter]) { self.filters = filters }

    public mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool {
        for i in filters.indices where try !filters[i].accepts(record, format: format) { return false }
        return true
    }
}
