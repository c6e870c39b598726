import Foundation

/// How an archiver node takes part in sharing a stream's shards through a ``LeaseTable``.
public struct LeaseConfiguration: Sendable {
    /// A lease whose counter has not moved for this long (on the observer's own clock) is expired and may be
    /// taken. Default 10 s, KCL's failover time.
    public var timeout: Duration
    /// A node stops reading a shard once its last successful renewal is `timeout - safetyMargin` old, so it has
    /// stopped before anyone could take the lease. Default a fifth of the timeout.
    public var safetyMargin: Duration
    /// This node's name in the table. Default `<host>:<pid>:<random>`: unique per process, so a restarted node
    /// never mistakes its previous life's leases for its own.
    public var owner: String

    /// Creates a configuration.
    /// - Parameters:
    ///   - timeout: The lease timeout; default 10 s.
    ///   - safetyMargin: How much sooner than the timeout a node stops; default `timeout / 5`.
    ///   - owner: This node's name; default `<host>:<pid>:<random>`.
    public init(timeout: Duration = .seconds(10), safetyMargin: Duration? = nil, owner: String? = nil) {
        self.timeout = timeout
        self.safetyMargin = safetyMargin ?? timeout / 5
        self.owner = owner ?? Self.defaultOwner()
    }

    /// How often held leases are renewed (and the table is scanned): a third of the timeout, as KCL does.
    public var renewInterval: Duration { timeout / 3 }

    static func defaultOwner() -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName):\(getpid()):\(random)"
    }
}
