import Synchronization

/// The one clock fake for the tests: a `Clock` whose `sleep` returns at once (moving time forward and recording
/// how long it was asked to sleep), that a test can also move by hand, and that reads as wall-clock milliseconds.
///
/// Retry/backoff code takes it as its `Clock` (every delay is checked without waiting); the segment writer reads
/// ``epochMillis`` through a `WallClock` (segment ages move when the test calls ``advance(by:)``).
public final class TestClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        /// Time since the clock was made.
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Instant, sleeps: [Duration])>((Instant(offset: .zero), []))
    private let startMillis: Int64

    /// A clock whose wall time starts at `startMillis` (2026-01-01T00:00:00Z by default).
    public init(startMillis: Int64 = 1_767_225_600_000) {
        self.startMillis = startMillis
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Every duration slept, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Wall-clock milliseconds since 1970: the start time plus every sleep and ``advance(by:)`` so far.
    public var epochMillis: Int64 {
        let (seconds, attoseconds) = now.offset.components
        return startMillis + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Moves time forward by hand (no sleep is recorded).
    public func advance(by duration: Duration) {
        state.withLock { $0.now = $0.now.advanced(by: duration) }
    }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(state.now.duration(to: deadline))
            if deadline > state.now { state.now = deadline }
        }
    }
}
