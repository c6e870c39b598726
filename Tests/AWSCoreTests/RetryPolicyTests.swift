import AWSCore
import Testing

struct RetryPolicyTests {
    static let throttled = AWSError(code: .throttling, message: "slow down", awsType: "ProvisionedThroughputExceededException", httpStatus: 400)
    static let failed = AWSError(code: .serviceUnavailable, message: "boom", httpStatus: 500)

    @Test func backsOffExponentiallyWithinJitterBounds() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), throttlingBaseDelay: .milliseconds(500), maxDelay: .seconds(20))
        for attempt in 1...5 {
            let cap = Duration.milliseconds(100) * (1 << (attempt - 1))
            #expect(policy.decision(after: Self.failed, attempt: attempt, jitter: 0) == .retry(after: cap / 2))
            guard case .retry(let high) = policy.decision(after: Self.failed, attempt: attempt, jitter: 0.999_999_9) else {
                Issue.record("expected a retry")
                continue
            }
            #expect(high < cap && high > cap * 0.99)
        }
    }

    @Test func throttlingUsesItsOwnBase() {
        let policy = RetryPolicy()
        #expect(policy.decision(after: Self.throttled, attempt: 1, jitter: 0) == .retry(after: .milliseconds(250)))
        #expect(policy.decision(after: Self.throttled, attempt: 2, jitter: 0) == .retry(after: .milliseconds(500)))
    }

    @Test func capsAtMaxDelay() {
        let policy = RetryPolicy(maxAttempts: 100, maxDelay: .seconds(3))
        #expect(policy.decision(after: Self.failed, attempt: 60, jitter: 0) == .retry(after: .milliseconds(1500)))
    }

    @Test func stopsAfterMaxAttempts() {
        let policy = RetryPolicy(maxAttempts: 3)
        #expect(policy.decision(after: Self.failed, attempt: 2, jitter: 0.5) != .fail)
        #expect(policy.decision(after: Self.failed, attempt: 3, jitter: 0.5) == .fail)
        #expect(RetryPolicy.none.decision(after: Self.failed, attempt: 1, jitter: 0.5) == .fail)
    }

    @Test(arguments: [AWSError.Code.expiredIterator, .trimmedData, .resourceNotFound, .accessDenied, .validation, .other, .invalidResponse])
    func neverRetriesPermanentErrors(_ code: AWSError.Code) {
        #expect(RetryPolicy().decision(after: AWSError(code: code, message: "x"), attempt: 1, jitter: 0.5) == .fail)
    }

    @Test(arguments: [AWSError.Code.throttling, .serviceUnavailable, .connection])
    func retriesTransientErrors(_ code: AWSError.Code) {
        #expect(RetryPolicy().decision(after: AWSError(code: code, message: "x"), attempt: 1, jitter: 0.5) != .fail)
    }
}
