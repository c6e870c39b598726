#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock milliseconds since the epoch; injectable so tests control segment ages and timestamps.
public struct WallClock: Sendable {
    public var nowMillis: @Sendable () -> Int64
    public init(nowMillis: @escaping @Sendable () -> Int64) { self.nowMillis = nowMillis }
    /// The system clock.
    public static let system = WallClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
