import Synchronization

/// `--speed Nx`: records go out at N times the pace they were written (event time), on a clock the caller
/// chooses (a test's clock that does not wait). Record time 0 of the pacing is the first record's time.
public protocol Pacing: Sendable {
    /// The record time that is due now (the first record's time plus the elapsed time times the speed).
    func recordTimeNow() -> Int64
    /// Sleeps until record time `millis` is due.
    func sleep(untilRecordTime millis: Int64) async throws
    /// Starts the pacing at record time `millis` (the first record), now.
    func start(atRecordTime millis: Int64)
}

/// ``Pacing`` on any `Clock` measured in `Duration` (ContinuousClock in the CLI, TestClock in tests).
public final class SpeedPacing<C: Clock>: Pacing where C.Duration == Duration, C.Instant: Sendable, C: Sendable {
    private let clock: C
    private let speed: Double
    private struct Origin: Sendable {
        var instant: C.Instant
        var recordTime: Int64
    }
    private let origin = Mutex<Origin?>(nil)

    /// Paces at `speed` times the original rate (`speed` > 0).
    public init(speed: Double, clock: C) {
        self.speed = speed
        self.clock = clock
    }

    public func start(atRecordTime millis: Int64) {
        origin.withLock { $0 = $0 ?? Origin(instant: clock.now, recordTime: millis) }
    }

    public func recordTimeNow() -> Int64 {
        guard let origin = origin.withLock({ $0 }) else { return .min }
        let elapsed = origin.instant.duration(to: clock.now)
        let (seconds, attoseconds) = elapsed.components
        let elapsedMillis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return origin.recordTime + Int64(elapsedMillis * speed)
    }

    public func sleep(untilRecordTime millis: Int64) async throws {
        guard let origin = origin.withLock({ $0 }) else { return }
        let offset = Double(millis - origin.recordTime) / speed
        let deadline = origin.instant.advanced(by: .microseconds(Int64(offset * 1000)))
        if clock.now < deadline { try await clock.sleep(until: deadline, tolerance: nil) }
    }
}
