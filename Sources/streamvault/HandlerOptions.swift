public import ArgumentParser
public import Replay

extension MappingSettings.EventFormat: ExpressibleByArgument {}

/// `streamvault replay` options that send records to a Lambda handler instead of stdout, with the settings of
/// a Lambda event source mapping (docs/HANDLERS.md).
struct HandlerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run CMD once; send events as lines on its stdin, read one response line each from its stdout.", valueName: "cmd"))
    var exec: String?

    @Option(help: ArgumentHelp("POST each event to URL (e.g. a Lambda Runtime Interface Emulator's invocations URL).", valueName: "url"))
    var http: String?

    @Option(
        name: .customLong("lambda-runtime"),
        help: ArgumentHelp("Run CMD under a local Lambda Runtime API (e.g. \"python3 -m awslambdaric handler.handler\").", valueName: "cmd")
    )
    var lambdaRuntime: String?

    @Option(help: ArgumentHelp("Invoke this Lambda function through the Invoke API (SigV4, the usual credential chain).", valueName: "name"))
    var lambda: String?

    @Option(help: ArgumentHelp("AWS region for --lambda (default: AWS_REGION, the profile's region).", valueName: "region"))
    var region: String?

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("Send --lambda calls here instead (default: AWS_ENDPOINT_URL).", valueName: "url"))
    var endpointURL: String?

    @Option(name: .customLong("event-format"), help: "The event shape: lambda-dynamodb (default) or lambda-kinesis.")
    var eventFormat: MappingSettings.EventFormat = .lambdaDynamoDB

    @Option(name: .customLong("batch-size"), help: ArgumentHelp("BatchSize: most records per event, 1-10000.", valueName: "n"))
    var batchSize = 100

    @Option(
        name: .customLong("batch-window"),
        help: ArgumentHelp("MaximumBatchingWindowInSeconds, 0-300: with --speed, how long to gather records.", valueName: "seconds")
    )
    var batchWindow = 0

    @Flag(name: .customLong("report-batch-item-failures"), help: "Read batchItemFailures from responses (ReportBatchItemFailures).")
    var reportBatchItemFailures = false

    @Flag(name: .customLong("bisect-on-error"), help: "BisectBatchOnFunctionError: split a failing batch in two before retrying.")
    var bisectOnError = false

    @Option(name: .customLong("max-retries"), help: ArgumentHelp("MaximumRetryAttempts: -1 (default) retries until success.", valueName: "n"))
    var maxRetries = -1

    @Option(
        name: .customLong("max-record-age"),
        help: ArgumentHelp("MaximumRecordAgeInSeconds, 60-604800; -1 (default) is off: archived records are old by nature.", valueName: "seconds")
    )
    var maxRecordAge = -1

    @Option(
        name: .customLong("on-failure"),
        help: ArgumentHelp("Append a failure record (AWS's OnFailure shape) per given-up batch to this NDJSON file.", valueName: "file")
    )
    var onFailure: String?

    @Option(help: ArgumentHelp("ParallelizationFactor, 1-10: concurrent batches per shard, one key in one lane.", valueName: "n"))
    var parallelization = 1

    @Option(help: ArgumentHelp("Function timeout for each invocation.", valueName: "seconds"))
    var timeout: Double = 60

    @Option(help: ArgumentHelp("Pace at N times the original rate, e.g. 10x (default: as fast as the handler takes it).", valueName: "Nx"))
    var speed: String?

    @Option(
        name: .customLong("function-name"),
        help: ArgumentHelp("Function name handlers see (AWS_LAMBDA_FUNCTION_NAME, failure records' ARN).", valueName: "name")
    )
    var functionName = "streamvault-replay"

    @Option(help: ArgumentHelp("Name this replay: it checkpoints after each batch; continue it with --resume NAME.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("Continue the named replay NAME after its last checkpoint, with its options.", valueName: "name"))
    var resume: String?

    @Flag(help: "Show progress on stderr even when it is not a terminal.")
    var progress = false

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    /// The handler options given (at most one is valid).
    var chosen: [String] {
        [("--exec", exec), ("--http", http), ("--lambda-runtime", lambdaRuntime), ("--lambda", lambda)].compactMap { $0.1 == nil ? nil : $0.0 }
    }

    /// Whether the replay goes to a handler.
    var isActive: Bool { !chosen.isEmpty }

    func validate() throws {
        if resume != nil {
            if isActive || name != nil {
                throw ValidationError("--resume continues a replay with the options it was started with: pass no handler or --name with it.")
            }
            return
        }
        guard isActive else {
            if json || progress || onFailure != nil || name != nil {
                throw ValidationError(
                    "--json, --progress, --on-failure and --name go with a handler: add --exec, --http, --lambda-runtime or --lambda."
                )
            }
            return
        }
        if chosen.count > 1 {
            throw ValidationError("Pass one handler, not \(chosen.joined(separator: " and ")).")
        }
        if let problem = settingsProblem() { throw ValidationError(problem) }
        guard timeout > 0 && timeout <= 900 else {
            throw ValidationError("--timeout \(timeout) is out of range: pass 0.001-900 seconds (Lambda's limit is 900).")
        }
        _ = try speedFactor()
    }

    /// What is wrong with the settings, or `nil`.
    private func settingsProblem() -> String? {
        let result = Result { () throws(ReplayError) in try settings().validate() }
        if case .failure(let error) = result { return error.message }
        return nil
    }

    /// The event source mapping settings the options describe.
    func settings() -> MappingSettings {
        var settings = MappingSettings()
        settings.batchSize = batchSize
        settings.batchingWindowSeconds = batchWindow
        settings.reportBatchItemFailures = reportBatchItemFailures
        settings.bisectOnError = bisectOnError
        settings.maxRetries = maxRetries
        settings.maxRecordAgeSeconds = maxRecordAge
        settings.parallelization = parallelization
        settings.eventFormat = eventFormat
        settings.functionARN = "arn:aws:lambda:\(region ?? "us-east-1"):000000000000:function:\(functionName)"
        return settings
    }

    /// `--speed Nx` as N; `nil` when not given.
    func speedFactor() throws -> Double? {
        guard let speed else { return nil }
        let digits = speed.hasSuffix("x") || speed.hasSuffix("X") ? String(speed.dropLast()) : speed
        guard let factor = Double(digits), factor > 0, factor.isFinite else {
            throw ValidationError("--speed '\(speed)' is not a speed: pass a positive factor such as 10x or 0.5x.")
        }
        return factor
    }

    var timeoutDuration: Duration { .milliseconds(Int64(timeout * 1000)) }
}
