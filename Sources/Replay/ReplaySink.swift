/// The last stage of a ``ReplayPipeline``: where records go. NDJSON on a file descriptor today
/// (``NDJSONSink``); Lambda handlers, export files and GetRecords pages later.
public protocol ReplaySink {
    /// Takes one record. Called in replay order.
    /// - Returns: `false` to stop the replay after this record (the reader went away, a page is full).
    /// - Throws: a failure that ends the replay (the error reaches the pipeline's caller unchanged).
    mutating func deliver(_ record: ReplayRecord) throws -> Bool
}
