public import ServiceLifecycle
import Synchronization

/// Runs the archivers of several streams in one service, each in its own task: a stream whose run fails (no such
/// table, stream disabled, access denied, endpoint down, its writer lock held elsewhere) is reported
/// (``ArchiverEvent/runFailed(_:failures:retryIn:)``, metrics `stream_up` 0 and `stream_failures`) and started again
/// after a jittered exponential back-off, from its checkpoints, while the others go on.
///
/// Returns when every archiver returned: at graceful shutdown (each commits what it read), or, for archivers with
/// ``ArchiverConfiguration/once``, once each is caught up. When every archiver has `once` (a drain job, e.g. from cron),
/// one that fails is not started again: the supervisor throws ``ArchiverError`` naming the failed streams after the
/// others are done. Beside long-running archivers, a failed `once` archiver is retried like the others until it is caught up.
///
/// ```swift
/// let supervisor = ArchiverSupervisor(archivers: [orders, customers], backoff: RetryBackoff(maximum: .seconds(300)))
/// try await ServiceGroup(services: [supervisor], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct ArchiverSupervisor<C: Clock>: Service where C.Duration == Duration {
    let archivers: [ArchiverService]
    let backoff: RetryBackoff
    let clock: C
    let jitter: @Sendable () -> Double

    /// Creates the supervisor.
    /// - Parameters:
    ///   - archivers: One archiver per stream (configure them with ``ArchiverConfiguration/retriesOutagesInRun`` `false`
    ///     so that an outage shows as a failed run and is backed off here).
    ///   - backoff: The waits between a stream's failed runs; default 1 s doubling up to 5 minutes.
    ///   - clock: What the waits sleep on; default `ContinuousClock()`.
    ///   - jitter: Random numbers in `0...1` for the waits; default `Double.random(in: 0...1)`.
    public init(
        archivers: [ArchiverService],
        backoff: RetryBackoff = RetryBackoff(),
        clock: C = ContinuousClock(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.archivers = archivers
        self.backoff = backoff
        self.clock = clock
        self.jitter = jitter
    }

    /// Runs every archiver until graceful shutdown (or, with `once`, until each is caught up or failed).
    /// - Throws: ``ArchiverError`` naming the `once` streams that failed.
    public func run() async throws {
        let drainJob = archivers.allSatisfy(\.configuration.once)
        let failed = await withTaskGroup(of: String?.self) { group in
            for archiver in archivers {
                group.addTask { await self.supervise(archiver, retriesOnce: !drainJob) }
            }
            var failed: [String] = []
            for await stream in group { if let stream { failed.append(stream) } }
            return failed
        }
        guard failed.isEmpty else {
            throw ArchiverError(
                code: .streamsFailed,
                message: "Archiving stopped with errors for \(failed.sorted().map { "'\($0)'" }.joined(separator: ", ")) (logged above); "
                    + "the other streams are caught up. Everything archived is committed: fix the cause and run again."
            )
        }
    }

    /// Runs one archiver again and again until it returns; returns its stream's name if it failed for good (`once`
    /// without `retriesOnce`).
    private func supervise(_ archiver: ArchiverService, retriesOnce: Bool) async -> String? {
        // Failures in a row: a run that got to read the stream starts the count again.
        let failures = FailureStreak()
        var watched = archiver
        let events = archiver.events
        watched.events = { event in
            if case .reading = event { failures.reset() }
            events(event)
        }
        while !ArchiverService.isStopping {
            do {
                _ = try await watched.archive()
                return nil
            } catch is CancellationError where ArchiverService.isStopping {
                return nil
            } catch {
                let count = failures.next()
                if archiver.configuration.once && !retriesOnce {
                    events(.runFailed(error, failures: count, retryIn: nil))
                    return archiver.configuration.streamName
                }
                let delay = backoff.delay(afterFailures: count, jitter: jitter())
                events(.runFailed(error, failures: count, retryIn: delay))
                try? await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: delay) }
            }
        }
        return nil
    }
}

/// A stream's failures in a row, reset by the archiver's events (another task) when it reads again.
private final class FailureStreak: Sendable {
    private let count = Mutex(0)

    func reset() { count.withLock { $0 = 0 } }

    /// Counts one more failure; returns the streak.
    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}
