import AWSCore
import ArchiveStore
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Replay
import StreamModel
import Synchronization

/// `streamvault replay ... --exec/--http/--lambda-runtime/--lambda`: the archive's records into a Lambda handler
/// through ``EventSourceMapping``.
extension StreamVaultCommand.Replay {
    /// Exit status when records were given up (retries exhausted, too old): they are in the --on-failure file.
    static let recordsFailedExitStatus: Int32 = 3
    /// Exit status when the handler could not be used (does not start, cannot be reached) or the failure file
    /// could not be written; records delivered before stay delivered.
    static let handlerUnusableExitStatus: Int32 = 4

    /// `--resume NAME`: runs the named replay's stored options again, after its checkpoint.
    func resumeNamedReplay(_ name: String) async throws {
        let catalog = try global.openCatalog(create: false, write: true)
        guard let row = try await catalog.asyncReader.replay(named: name) else {
            throw ValidationError("No replay named '\(name)': `streamvault replays` lists them.")
        }
        if row.state == .running, let pid = row.pid, pid != getpid(), kill(pid, 0) == 0 {
            throw ValidationError("Replay '\(name)' is running in process \(pid): stop it first, or wait for it.")
        }
        guard let arguments = try? JSONDecoder().decode([String].self, from: Data(row.arguments.utf8)) else {
            throw ValidationError("Replay '\(name)' has unreadable options in the catalog; start a new one with --name.")
        }
        var resumed = try Self.parse(arguments + ["--storage", global.storageDirectory, "--log-level", global.logLevel])
        resumed.handler.progress = handler.progress || resumed.handler.progress
        resumed.handler.json = handler.json || resumed.handler.json
        if row.state == .completed {
            printError(
                "replay: '\(name)' is complete: \(Format.count(row.recordsDelivered)) records delivered, \(Format.count(row.recordsFailed)) given up."
            )
            if row.recordsFailed > 0 { throw ExitCode(Self.recordsFailedExitStatus) }
            return
        }
        try await resumed.runHandlers(catalog: catalog, resuming: row)
    }

    /// The options of this replay, for a named replay's row: the arguments after `replay`, without the
    /// per-run ones (`--name`, `--storage`, `--log-level`).
    static func storedArguments() -> [String] {
        let all = Array(CommandLine.arguments.dropFirst())
        var out: [String] = []
        var i = (all.firstIndex(of: "replay") ?? -1) + 1
        while i < all.count {
            let argument = all[i]
            if ["--name", "--storage", "--log-level"].contains(argument) {
                i += 2
                continue
            }
            if argument.hasPrefix("--name=") || argument.hasPrefix("--storage=") || argument.hasPrefix("--log-level=") {
                i += 1
                continue
            }
            out.append(argument)
            i += 1
        }
        return out
    }

    func runHandlers(catalog given: Catalog? = nil, resuming: NamedReplay? = nil) async throws {
        if format != nil || order != .shard {
            throw ValidationError("--format and --order apply to a replay to stdout: handlers get Lambda events (--event-format) in shard order.")
        }
        let named = handler.name != nil || resuming != nil
        let catalog = try given ?? global.openCatalog(create: false, write: named)
        let info = try await catalog.asyncReader.requireStream(stream)
        var after: ReplayPosition?
        if let resuming, let shard = resuming.checkpointShard, let sequence = resuming.checkpointSequence {
            after = ReplayPosition(shardID: shard, sequenceNumber: sequence)
        }
        var row = resuming
        if resuming == nil, let name = handler.name {
            let arguments = String(decoding: try JSONEncoder().encode(Self.storedArguments()), as: UTF8.self)
            let fresh = NamedReplay(name: name, stream: stream, arguments: arguments, pid: getpid(), now: EventSourceMapping.wallClockNow())
            do {
                try await catalog.asyncReader.createReplay(fresh)
            } catch let error as ArchiveError where error.code == .invalidArgument {
                throw ValidationError(error.message)
            }
            row = fresh
        }
        let recorder = row.map { NamedReplayRecorder(catalog: catalog, row: $0) }
        let selection = ReplaySelection(
            stream: stream,
            from: try Self.time("--from", from),
            to: try Self.time("--to", to),
            shard: shard,
            fromSequence: try Self.sequence("--from-seq", fromSeq),
            toSequence: try Self.sequence("--to-seq", toSeq),
            order: .shard,
            after: after
        )
        var settings = handler.settings()
        if handler.region == nil, let region = info.region {
            settings.functionARN = "arn:aws:lambda:\(region):000000000000:function:\(handler.functionName)"
        }
        let streamARN = info.arn ?? "arn:aws:dynamodb:\(info.region ?? "us-east-1"):000000000000:table/\(info.tableName ?? info.name)/stream/archived"
        var conversion = ConversionOptions()
        conversion.tableName = tableName ?? info.tableName ?? info.name
        conversion.region = info.region
        conversion.streamARN = streamARN
        let layout = global.layout
        // --event-name, --key, --filter and TTL selection, as for a replay to stdout.
        let recordSelection = try self.selection.recordSelection(eventNames: eventName)
        let format = settings.eventFormat.recordFormat
        let options = conversion
        let feed = RecordFeed {
            try ReplayPipeline(
                catalog: catalog,
                layout: layout,
                selection: selection,
                filter: recordSelection.makeFilter(),
                format: format,
                conversion: options
            )
        }

        let http = handler.http != nil || handler.lambda != nil ? HTTPHandler.makeClient() : nil
        var handlers: [any Handler] = []
        let started = ContinuousClock.now
        let progress = ProgressLine(enabled: handler.progress || stderrIsTerminal, feed: feed)
        var statistics = DeliveryStatistics()
        var failure: (status: Int32, message: String)?
        do {
            handlers = try await makeHandlers(settings: settings, region: info.region, client: http)
            var failures: FailureDestination?
            if let path = handler.onFailure { failures = try FailureDestination(path: path) }
            var pacing: (any Pacing)?
            if let speed = try handler.speedFactor() { pacing = SpeedPacing(speed: speed, clock: ContinuousClock()) }
            var onCheckpoint: (@Sendable (ReplayPosition, DeliveryStatistics) async throws -> Void)?
            if let recorder {
                onCheckpoint = { position, statistics in try await recorder.checkpoint(position, statistics, feed: feed) }
            }
            let mapping = EventSourceMapping(
                settings: settings,
                handlers: handlers,
                streamARN: streamARN,
                failures: failures,
                pacing: pacing,
                retryBackoff: .milliseconds(10),
                onCheckpoint: onCheckpoint,
                onProgress: { progress.update($0) }
            )
            await recorder?.started()
            statistics = try await mapping.run(feed)
        } catch let error as HandlerError {
            failure = (Self.handlerUnusableExitStatus, "replay: \(error.message)")
        } catch let error as ReplayError where error.code == .damagedBlock {
            failure = (Self.damageExitStatus, "replay: \(error.message)")
        } catch {
            for handler in handlers { await handler.shutdown() }
            try? await http?.shutdown()
            progress.finish()
            try? await recorder?.finish(progress.last(orElse: statistics), state: .failed)
            throw error
        }
        if failure != nil { statistics = progress.last(orElse: statistics) }
        for handler in handlers { await handler.shutdown() }
        try? await http?.shutdown()
        progress.finish()
        try await recorder?.finish(statistics, state: failure == nil ? .completed : .failed)
        let elapsed = started.duration(to: .now)
        printSummary(recorder?.total(statistics) ?? statistics, elapsed: elapsed, failed: failure != nil)
        if let failure {
            printError(failure.message)
            throw ExitCode(failure.status)
        }
        if (recorder?.total(statistics) ?? statistics).recordsFailed > 0 { throw ExitCode(Self.recordsFailedExitStatus) }
    }

    private func makeHandlers(settings: MappingSettings, region: String?, client: HTTPClient?) async throws -> [any Handler] {
        let lanes = settings.parallelization
        let timeout = handler.timeoutDuration
        if let command = handler.exec {
            return (0..<lanes).map { _ in ExecHandler(command: command, timeout: timeout) }
        }
        if let url = handler.http, let client {
            return (0..<lanes).map { _ in HTTPHandler(url: url, timeout: timeout, client: client) }
        }
        if let command = handler.lambdaRuntime {
            var handlers: [any Handler] = []
            for _ in 0..<lanes {
                handlers.append(
                    try await LambdaRuntimeHandler(
                        command: command,
                        timeout: timeout,
                        functionName: handler.functionName,
                        functionARN: settings.functionARN,
                        region: handler.region ?? region ?? "us-east-1"
                    )
                )
            }
            return handlers
        }
        if let function = handler.lambda, let client {
            let environment: AWSEnvironment
            do {
                environment = try AWSEnvironment.resolve(
                    environment: ProcessInfo.processInfo.environment,
                    region: handler.region,
                    endpointURL: handler.endpointURL
                )
            } catch {
                throw HandlerError(code: .cannotStart, message: "--lambda needs AWS credentials and a region: \(error)")
            }
            return (0..<lanes).map { _ in LambdaInvokeHandler(function: function, environment: environment, timeout: timeout, client: client) }
        }
        return []
    }

    private func printSummary(_ s: DeliveryStatistics, elapsed: Duration, failed: Bool) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let state = failed ? "stopped" : (s.recordsFailed > 0 ? "completed with failures" : "completed")
        if handler.json {
            var object: [String: Any] = [
                "state": state,
                "seconds": (seconds * 1000).rounded() / 1000,
                "recordsRead": s.recordsRead,
                "recordsFiltered": s.recordsFiltered,
                "recordsDelivered": s.recordsDelivered,
                "recordsFailed": s.recordsFailed,
                "invocations": s.invocations,
                "batches": s.batches,
                "retries": s.retries,
                "bisections": s.bisections,
                "functionErrors": s.functionErrors,
                "timeouts": s.timeouts,
                "crashes": s.crashes,
                "partialFailures": s.partialFailures,
                "malformedResponses": s.malformedResponses,
                "failureRecords": s.failureRecords,
            ]
            if let path = handler.onFailure { object["onFailure"] = path }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
        let rate = seconds > 0 ? Double(s.recordsDelivered) / seconds : 0
        var line = String(
            format: "replay: %@: %@ records delivered in %@ invocations (%.1f s, %@ records/s)",
            state,
            Format.count(s.recordsDelivered),
            Format.count(s.invocations),
            seconds,
            Format.count(Int(rate))
        )
        if s.recordsFiltered > 0 { line += ", \(Format.count(s.recordsFiltered)) filtered out" }
        if s.retries > 0 { line += ", \(Format.count(s.retries)) retries" }
        if s.bisections > 0 { line += ", \(Format.count(s.bisections)) bisections" }
        if s.recordsFailed > 0 {
            line += ", \(Format.count(s.recordsFailed)) records given up" + (handler.onFailure.map { " (see \($0))" } ?? " (no --on-failure file)")
        }
        printError(line)
    }
}

/// Saves a named replay's row: the checkpoint after each batch, the state at the end. Counts add to those of
/// the runs before (a resume).
final class NamedReplayRecorder: Sendable {
    private let catalog: Catalog
    private let base: NamedReplay
    private let row: Mutex<NamedReplay>
    private let perShard = Mutex<[String: String]>([:])

    init(catalog: Catalog, row: NamedReplay) {
        self.catalog = catalog
        self.base = row
        self.row = Mutex(row)
        if let decoded = try? JSONDecoder().decode([String: String].self, from: Data(row.checkpoints.utf8)) {
            perShard.withLock { $0 = decoded }
        }
    }

    /// The run's counts plus those of the runs before.
    func total(_ s: DeliveryStatistics) -> DeliveryStatistics {
        var total = s
        total.recordsDelivered += base.recordsDelivered
        total.recordsFailed += base.recordsFailed
        total.recordsFiltered += base.recordsFiltered
        total.invocations += base.invocations
        total.retries += base.retries
        return total
    }

    /// Marks the replay running in this process.
    func started() async {
        let current = row.withLock { row in
            row.state = .running
            row.pid = getpid()
            row.updatedAt = EventSourceMapping.wallClockNow()
            return row
        }
        try? await catalog.asyncReader.saveReplay(current)
    }

    func checkpoint(_ position: ReplayPosition, _ statistics: DeliveryStatistics, feed: RecordFeed) async throws {
        let checkpoints = perShard.withLock { shards in
            shards[position.shardID] = position.sequenceNumber.text
            return String(decoding: (try? JSONEncoder().encode(shards)) ?? Data("{}".utf8), as: UTF8.self)
        }
        let total = total(statistics)
        let current = row.withLock { row in
            row.checkpointShard = position.shardID
            row.checkpointSequence = position.sequenceNumber
            row.checkpoints = checkpoints
            row.plannedRecords = row.plannedRecords ?? feed.plannedRecords
            row.apply(total)
            return row
        }
        try await catalog.asyncReader.saveReplay(current)
    }

    func finish(_ statistics: DeliveryStatistics, state: NamedReplay.State) async throws {
        let total = total(statistics)
        let current = row.withLock { row in
            row.state = state
            row.pid = nil
            row.apply(total)
            return row
        }
        try await catalog.asyncReader.saveReplay(current)
    }
}

extension NamedReplay {
    mutating func apply(_ total: DeliveryStatistics) {
        recordsDelivered = total.recordsDelivered
        recordsFailed = total.recordsFailed
        recordsFiltered = total.recordsFiltered
        invocations = total.invocations
        retries = total.retries
        updatedAt = EventSourceMapping.wallClockNow()
    }
}

/// The progress line on stderr: records, rate, ETA, failures; at most four updates a second.
final class ProgressLine: Sendable {
    private struct State {
        var statistics = DeliveryStatistics()
        var lastPrint: ContinuousClock.Instant?
        var printed = false
    }
    private let enabled: Bool
    private let feed: RecordFeed
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(enabled: Bool, feed: RecordFeed) {
        self.enabled = enabled
        self.feed = feed
    }

    func update(_ statistics: DeliveryStatistics) {
        let line: String? = state.withLock { state in
            state.statistics = statistics
            guard enabled else { return nil }
            let now = ContinuousClock.now
            if let last = state.lastPrint, last.duration(to: now) < .milliseconds(250) { return nil }
            state.lastPrint = now
            state.printed = true
            return render(statistics, now)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// The statistics of the last update, or `fallback` when there was none.
    func last(orElse fallback: DeliveryStatistics) -> DeliveryStatistics {
        state.withLock { $0.statistics.invocations > 0 || $0.statistics.recordsRead > 0 ? $0.statistics : fallback }
    }

    func finish() {
        let printed = state.withLock { $0.printed }
        if printed { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func render(_ s: DeliveryStatistics, _ now: ContinuousClock.Instant) -> String {
        let elapsed = started.duration(to: now)
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let done = s.recordsDelivered + s.recordsFailed
        let rate = Double(done) / seconds
        var eta = "?"
        if let planned = feed.plannedRecords, rate > 0 {
            let left = max(0, planned - done - s.recordsFiltered)
            eta = String(format: "%.0f s", Double(left) / rate)
        }
        return String(
            format: "\rreplay: %@ records, %@/s, ETA %@, %@ failed, %@ retries   ",
            Format.count(done),
            Format.count(Int(rate)),
            eta,
            Format.count(s.recordsFailed),
            Format.count(s.retries)
        )
    }
}
