public import StreamModel

/// The filter stage of a ``ReplayPipeline``: decides, per stored record, whether it goes on to conversion
/// and the sink. Dropped records are counted in ``ReplayStatistics/recordsFiltered``, not delivered.
///
/// ``EventNameFilter``, ``ClosureFilter``, ``FilterCriteria`` (Lambda patterns) and the filter of a ``RecordSelection``.
public protocol RecordFilter {
    /// Whether `record` (archived bytes in `format`, no newline) is delivered.
    /// - Throws: when the record cannot be judged; the replay ends with that error.
    mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool

    /// The item every accepted record belongs to, if the filter passes only one item's changes: the pipeline
    /// then skips blocks whose key filter rules the item out (counted in ``ReplayStatistics/blocksSkipped``).
    var requiredItemKey: ItemKey? { get }
}

extension RecordFilter {
    /// No item restriction (the default).
    public var requiredItemKey: ItemKey? { nil }
}
