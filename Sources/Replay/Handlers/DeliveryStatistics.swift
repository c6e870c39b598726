/// What a replay to a handler did: the counts in the summary, `--json` and the named replay's row.
public struct DeliveryStatistics: Sendable, Equatable, Codable {
    /// Records read from the archive inside the selection.
    public var recordsRead = 0
    /// Records the filter dropped (counted, not delivered).
    public var recordsFiltered = 0
    /// Records the function took (a response that did not name them as failures).
    public var recordsDelivered = 0
    /// Records given up and written to the on-failure file (or dropped when there is none).
    public var recordsFailed = 0
    /// Invocations of the function, retries included.
    public var invocations = 0
    /// Batches formed (first invocations).
    public var batches = 0
    /// Invocations that repeated records (after a function error, a partial or malformed response).
    public var retries = 0
    /// Batches split in two after a function error.
    public var bisections = 0
    /// Function errors (raised errors, timeouts and crashes).
    public var functionErrors = 0
    /// Invocations that timed out.
    public var timeouts = 0
    /// Invocations during which the function's process ended.
    public var crashes = 0
    /// Responses whose batchItemFailures named records.
    public var partialFailures = 0
    /// Responses that were not a valid partial batch response (whole-batch failures).
    public var malformedResponses = 0
    /// Lines written to the on-failure file.
    public var failureRecords = 0

    /// All zero.
    public init() {}

    mutating func add(_ other: DeliveryStatistics) {
        recordsDelivered += other.recordsDelivered
        recordsFailed += other.recordsFailed
        invocations += other.invocations
        batches += other.batches
        retries += other.retries
        bisections += other.bisections
        functionErrors += other.functionErrors
        timeouts += other.timeouts
        crashes += other.crashes
        partialFailures += other.partialFailures
        malformedResponses += other.malformedResponses
        failureRecords += other.failureRecords
    }
}
