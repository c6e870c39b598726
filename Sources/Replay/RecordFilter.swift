public import StreamModel

/// The filter stage of a ``ReplayPipeline``: decides, per stored record, whether it goes on to conversion
/// and the sink. Dropped records are counted in ``ReplayStatistics/recordsFiltered``, not delivered.
///
/// ``EventNameFilter`` and ``ClosureFilter`` today; Lambda FilterCriteria patterns come with the handlers.
public protocol RecordFilter {
    /// Whether `record` (archived bytes in `format`, no newline) is delivered.
    /// - Throws: when the record cannot be judged; the replay ends with that error.
    mutating func accepts(_ record: UnsafeBufferPointer<UInt8>, format: RecordFormat) throws -> Bool
}
