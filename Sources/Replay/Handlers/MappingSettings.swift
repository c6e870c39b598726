public import StreamModel

/// The event source mapping settings a replay applies, named and bounded as AWS names and bounds them for
/// DynamoDB and Kinesis event source mappings (docs/HANDLERS.md has the table).
public struct MappingSettings: Sendable, Equatable, Codable {
    /// The event shape handed to the function.
    public enum EventFormat: String, Sendable, Codable, CaseIterable {
        /// `{"Records":[...]}` of Lambda DynamoDB stream records.
        case lambdaDynamoDB = "lambda-dynamodb"
        /// `{"Records":[...]}` of Lambda Kinesis records.
        case lambdaKinesis = "lambda-kinesis"

        /// The record shape the pipeline converts to.
        public var recordFormat: RecordFormat {
            switch self {
            case .lambdaDynamoDB: .lambdaDynamoDB
            case .lambdaKinesis: .lambdaKinesis
            }
        }
    }

    /// BatchSize: most records per event (1-10000, default 100).
    public var batchSize = 100
    /// MaximumBatchingWindowInSeconds: how long a paced replay gathers records before invoking (0-300, default 0).
    public var batchingWindowSeconds = 0
    /// FunctionResponseTypes ReportBatchItemFailures: read `batchItemFailures` from the response.
    public var reportBatchItemFailures = false
    /// BisectBatchOnFunctionError: split a failing batch in two and retry each half (not counted as a retry).
    public var bisectOnError = false
    /// MaximumRetryAttempts: -1 retries until success (AWS's default), else 0-10000.
    public var maxRetries = -1
    /// MaximumRecordAgeInSeconds: -1 (default) is off; else 60-604800, against the wall clock at invoke time.
    public var maxRecordAgeSeconds = -1
    /// ParallelizationFactor: concurrent batches per shard, records of one partition key in one lane (1-10).
    public var parallelization = 1
    /// The event shape.
    public var eventFormat = EventFormat.lambdaDynamoDB
    /// The function ARN written in failure records' `requestContext.functionArn`.
    public var functionARN = "arn:aws:lambda:us-east-1:000000000000:function:streamvault-replay"

    /// AWS's defaults.
    public init() {}

    /// Checks every setting against AWS's bounds.
    /// - Throws: ``ReplayError`` (``ReplayError/Code/invalidSelection``) naming the setting and its range.
    public func validate() throws(ReplayError) {
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>, _ also: Int? = nil) throws(ReplayError) {
            guard range.contains(value) || value == also else {
                let extra = also.map { " or \($0)" } ?? ""
                throw ReplayError(
                    code: .invalidSelection,
                    message: "\(name) is \(value): pass \(range.lowerBound)-\(range.upperBound)\(extra), as for a Lambda event source mapping."
                )
            }
        }
        try check("BatchSize", batchSize, 1...10_000)
        try check("MaximumBatchingWindowInSeconds", batchingWindowSeconds, 0...300)
        try check("MaximumRetryAttempts", maxRetries, 0...10_000, -1)
        try check("MaximumRecordAgeInSeconds", maxRecordAgeSeconds, 60...604_800, -1)
        try check("ParallelizationFactor", parallelization, 1...10)
    }
}
