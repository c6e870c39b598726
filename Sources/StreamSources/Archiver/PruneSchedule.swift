/// When the archiver runs retention: at its first round, then once per interval of the service's clock.
/// A pure decision (the archiver passes its clock's elapsed time), so a test drives it without waiting.
struct PruneSchedule: Sendable {
    /// `nil`: never.
    let interval: Duration?
    private var lastRun: Duration?

    init(interval: Duration?) {
        self.interval = interval
    }

    /// Whether retention is due at `elapsed` (time since the service started); if so, it counts as run now.
    mutating func isDue(at elapsed: Duration) -> Bool {
        guard let interval else { return false }
        if let lastRun, elapsed - lastRun < interval { return false }
        lastRun = elapsed
        return true
    }
}
