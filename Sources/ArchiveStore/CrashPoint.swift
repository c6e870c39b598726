#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Named points where crash tests kill the process: with `STREAMVAULT_CRASH_AT=<name>` in the environment, the
/// process sends itself SIGKILL on reaching that point (no cleanup, no flush: what a power cut leaves).
/// Unset (always, outside tests), reaching a point costs one comparison.
enum CrashPoint {
    private static let armed: String? = getenv("STREAMVAULT_CRASH_AT").map { String(cString: $0) }

    static func reach(_ name: String) {
        guard let armed, armed == name else { return }
        kill(getpid(), SIGKILL)
    }
}
