/// How long a supervised stream waits before its next attempt after failing: exponential, capped, with jitter.
///
/// The n-th failure in a row waits between half and all of `min(initial * 2^(n-1), maximum)` ("equal jitter"):
/// streams that fail together (an endpoint outage) spread their retries, and the wait still grows with each failure.
///
/// ```swift
/// let backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(300))
/// backoff.delay(afterFailures: 3, jitter: 0.5)   // 3 s: half of 4 s, plus half of the other half
/// ```
public struct RetryBackoff: Sendable, Equatable {
    /// The ceiling before jitter of the first failure's wait.
    public var initial: Duration
    /// The ceiling of every wait.
    public var maximum: Duration

    /// Creates a back-off.
    /// - Parameters:
    ///   - initial: The first failure's wait ceiling; default 1 s.
    ///   - maximum: The cap of every wait; default 5 minutes.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = max(maximum, initial)
    }

    /// The ceiling of the wait after `failures` failures in a row, before jitter.
    /// - Parameter failures: Failures in a row, from 1.
    /// - Returns: `min(initial * 2^(failures-1), maximum)`.
    public func ceiling(afterFailures failures: Int) -> Duration {
        var ceiling = initial
        for _ in 1..<max(failures, 1) {
            ceiling *= 2
            if ceiling >= maximum { return maximum }
        }
        return min(ceiling, maximum)
    }

    /// The wait after `failures` failures in a row.
    /// - Parameters:
    ///   - failures: Failures in a row, from 1.
    ///   - jitter: A random number in `0...1` (`Double.random(in: 0...1)` outside tests).
    /// - Returns: Between half and all of ``ceiling(afterFailures:)``.
    public func delay(afterFailures failures: Int, jitter: Double) -> Duration {
        let ceiling = ceiling(afterFailures: failures)
        return ceiling / 2 + (ceiling / 2) * min(max(jitter, 0), 1)
    }
}
