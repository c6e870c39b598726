/// Decides whether and when to retry a failed AWS call: capped exponential backoff with jitter.
///
/// Pure: it reads no clock and draws no random numbers; the caller passes the attempt number and a
/// jitter value in `0..<1`, and sleeps (on its injected clock) for what the policy returns.
///
/// The delay before retry *n* (n = 1 after the first failure) is drawn from
/// `cap/2 ..< cap` where `cap = min(maxDelay, base * 2^(n-1))`, so it never collapses to zero
/// ("equal jitter"). Throttling uses ``throttlingBaseDelay`` as base, other retryable errors ``baseDelay``.
public struct RetryPolicy: Sendable, Hashable {
    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Wait this long, then send the request again.
        case retry(after: Duration)
        /// Give up and throw the error.
        case fail
    }

    /// The most attempts, the first included; `1` disables retries. Default 6.
    public var maxAttempts: Int
    /// The base backoff for 5xx and connection failures. Default 100 ms.
    public var baseDelay: Duration
    /// The base backoff for throttling, which needs longer to clear. Default 500 ms.
    public var throttlingBaseDelay: Duration
    /// The longest wait between attempts. Default 20 s.
    public var maxDelay: Duration

    /// Creates a policy.
    /// - Parameters:
    ///   - maxAttempts: The most attempts, the first included; default 6.
    ///   - baseDelay: The base backoff for 5xx and connection failures; default 100 ms.
    ///   - throttlingBaseDelay: The base backoff for throttling; default 500 ms.
    ///   - maxDelay: The cap on a single wait; default 20 s.
    public init(
        maxAttempts: Int = 6,
        baseDelay: Duration = .milliseconds(100),
        throttlingBaseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(20)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.throttlingBaseDelay = throttlingBaseDelay
        self.maxDelay = maxDelay
    }

    /// A policy that never retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Decides what to do after attempt number `attempt` (1-based) failed with `error`.
    /// - Parameters:
    ///   - error: The failure.
    ///   - attempt: The number of the attempt that failed, starting at 1.
    ///   - jitter: A random value in `0..<1` (values outside are clamped).
    /// - Returns: ``Decision/retry(after:)`` for retryable errors while attempts remain, else ``Decision/fail``.
    public func decision(after error: AWSError, attempt: Int, jitter: Double) -> Decision {
        guard error.isRetryable, attempt < maxAttempts else { return .fail }
        let base = error.code == .throttling ? throttlingBaseDelay : baseDelay
        let exponent = min(max(attempt - 1, 0), 30)
        var cap = base * (1 << exponent)
        if cap > maxDelay || cap < .zero { cap = maxDelay }
        let fraction = 0.5 + 0.5 * min(max(jitter, 0), 0.999_999)
        return .retry(after: cap * fraction)
    }
}
