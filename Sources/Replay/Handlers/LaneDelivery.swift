/// Delivers one batch of one lane with the event source mapping's error handling, as AWS documents it for
/// DynamoDB and Kinesis sources:
/// - a function error (raised, timed out, crashed) retries the batch; with BisectBatchOnFunctionError a batch of
///   two or more records is split in two first and each half delivered in order (a split is not a retry);
/// - with ReportBatchItemFailures, records before the first one named in `batchItemFailures` are done and the
///   rest is retried; a malformed response retries the whole batch (a retry, not a split);
/// - past MaximumRetryAttempts the records go to the on-failure destination and the lane moves on;
/// - with MaximumRecordAgeInSeconds, records older than that when (re)invoked go there too.
/// The lane (the shard, or the key group) waits meanwhile: order is kept.
struct LaneDelivery: Sendable {
    var settings: MappingSettings
    var handler: any Handler
    var streamARN: String
    var failures: FailureDestination?
    var retryBackoff: Duration
    var wallClockMillis: @Sendable () -> Int64

    /// What the lane did with one batch.
    struct Report: Sendable {
        var lane: Int
        var statistics = DeliveryStatistics()
    }

    func deliver(_ batch: EventBatch) async throws(HandlerError) -> Report {
        var report = Report(lane: batch.lane)
        report.statistics.batches = 1
        // Ranges still to deliver, the next one last; each with the retries its records have used.
        var work: [(range: Range<Int>, retries: Int)] = [(0..<batch.count, 0)]
        while let item = work.popLast() {
            var range = item.range
            var retries = item.retries
            var invokeCount = 0
            attempts: while !range.isEmpty {
                if settings.maxRecordAgeSeconds >= 0 {
                    range = try dropExpired(batch, range, &report.statistics)
                    if range.isEmpty { break }
                }
                let outcome = try await handler.invoke(batch.event(range))
                invokeCount += 1
                report.statistics.invocations += 1
                switch outcome {
                case .response(let body):
                    guard settings.reportBatchItemFailures else {
                        report.statistics.recordsDelivered += range.count
                        break attempts
                    }
                    switch BatchItemFailures.read(body, batch: batch, range: range) {
                    case .success:
                        report.statistics.recordsDelivered += range.count
                        break attempts
                    case .retryFrom(let index):
                        report.statistics.partialFailures += 1
                        report.statistics.recordsDelivered += index - range.lowerBound
                        range = index..<range.upperBound
                    case .malformed:
                        report.statistics.malformedResponses += 1
                    }
                case .functionError, .timedOut, .crashed:
                    report.statistics.functionErrors += 1
                    if case .timedOut = outcome { report.statistics.timeouts += 1 }
                    if case .crashed = outcome { report.statistics.crashes += 1 }
                    if settings.bisectOnError && range.count > 1 {
                        let middle = range.lowerBound + range.count / 2
                        work.append((middle..<range.upperBound, retries))
                        work.append((range.lowerBound..<middle, retries))
                        report.statistics.bisections += 1
                        break attempts
                    }
                }
                retries += 1
                if settings.maxRetries >= 0 && retries > settings.maxRetries {
                    try fail(batch, range, .retryAttemptsExhausted, invokeCount: invokeCount, outcome: outcome, &report.statistics)
                    break attempts
                }
                report.statistics.retries += 1
                if retryBackoff > .zero {
                    let delay = retryBackoff * (1 << min(retries - 1, 7))
                    try? await Task.sleep(for: min(delay, .seconds(1)))
                }
            }
        }
        return report
    }

    /// Sends the leading records older than MaximumRecordAgeInSeconds to the destination; returns the rest.
    private func dropExpired(_ batch: EventBatch, _ range: Range<Int>, _ statistics: inout DeliveryStatistics) throws(HandlerError) -> Range<Int> {
        let oldest = wallClockMillis() - Int64(settings.maxRecordAgeSeconds) * 1000
        var cut = range.lowerBound
        while cut < range.upperBound && batch.records[cut].timeMillis < oldest { cut += 1 }
        if cut > range.lowerBound {
            try fail(batch, range.lowerBound..<cut, .recordAgeExceeded, invokeCount: 0, outcome: nil, &statistics)
        }
        return cut..<range.upperBound
    }

    private func fail(
        _ batch: EventBatch,
        _ range: Range<Int>,
        _ condition: FailureRecord.Condition,
        invokeCount: Int,
        outcome: HandlerOutcome?,
        _ statistics: inout DeliveryStatistics
    ) throws(HandlerError) {
        statistics.recordsFailed += range.count
        guard let failures else { return }
        let record = FailureRecord(
            condition: condition,
            functionARN: settings.functionARN,
            invokeCount: invokeCount,
            lastOutcome: outcome,
            eventFormat: settings.eventFormat,
            streamARN: streamARN,
            shardID: batch.shardID,
            firstSequence: batch.sequenceText(range.lowerBound),
            lastSequence: batch.sequenceText(range.upperBound - 1),
            firstTimeMillis: batch.records[range.lowerBound].timeMillis,
            lastTimeMillis: batch.records[range.upperBound - 1].timeMillis,
            batchSize: range.count,
            nowMillis: wallClockMillis()
        )
        try failures.append(record.line())
        statistics.failureRecords += 1
    }
}
