import AWSCore
public import Logging
public import StreamModel
import Synchronization

/// Takes, renews, balances and releases one node's shard leases in a ``LeaseTable`` (KCL's algorithm), and tells
/// the archiver which shards it may read.
///
/// - Every ``LeaseConfiguration/renewInterval`` (``round(listed:taking:renewing:)``) it renews the leases it
///   holds, creates leases for new shards, scans the table and takes leases (``LeaseBalancer``); halfway
///   between, it scans and takes only, so a dead node's shards are taken at most half an interval after expiry.
/// - A lease is expired when its counter has not moved for ``LeaseConfiguration/timeout`` as observed on this
///   node's own clock: no clocks of two nodes are ever compared.
/// - This node may write a shard (``mayWrite(_:)``) only while its last successful renewal (timed when the
///   request was sent) is younger than `timeout - safetyMargin`: it stops before anyone can take the lease. A
///   refused renewal or checkpoint means the lease is lost: it stops at once.
/// - A lease taken from a live owner (stolen for balance) is read only a timeout later, once the previous owner
///   has stopped by its own clock; expired and released leases are read at once.
/// - A child shard's lease counts only once its parents' leases say SHARD_END.
public final class LeaseCoordinator: Sendable {
    struct Held: Sendable {
        var lease: Lease
        /// When the last successful renewal (or the take) was sent.
        var renewedAt: Duration
        /// When reading may start.
        var readFrom: Duration
        var grant: Int
    }

    struct State: Sendable {
        var held: [String: Held] = [:]
        /// Per lease key: the counter and owner last seen, and when this node first saw them.
        var observed: [String: (counter: Int64, owner: String?, since: Duration)] = [:]
        var leases: [String: Lease] = [:]
        var nextGrant = 1
    }

    /// The table.
    public let table: LeaseTable
    /// Timeout, margin, owner name.
    public let configuration: LeaseConfiguration
    let now: @Sendable () -> Duration
    let wallMillis: @Sendable () -> Int64
    let metrics: ArchiverMetrics?
    let events: @Sendable (LeaseEvent) -> Void
    let logger: Logger
    let shuffle: @Sendable ([Lease]) -> [Lease]
    private let state = Mutex(State())

    /// Creates a coordinator.
    /// - Parameters:
    ///   - table: The lease table (its stream is the archive's stream).
    ///   - configuration: Timeout, margin and owner name.
    ///   - now: A monotonic clock (time since any fixed start).
    ///   - wallMillis: Wall-clock milliseconds, for events only.
    ///   - metrics: Where to count leases held, taken, stolen and lost.
    ///   - events: What to tell the operator.
    ///   - logger: Debug logging.
    ///   - shuffle: Orders the leases to take (random by default).
    public init(
        table: LeaseTable,
        configuration: LeaseConfiguration,
        now: @escaping @Sendable () -> Duration,
        wallMillis: @escaping @Sendable () -> Int64,
        metrics: ArchiverMetrics? = nil,
        events: @escaping @Sendable (LeaseEvent) -> Void = { _ in },
        logger: Logger = Logger(label: "streamvault.leases", factory: { _ in SwiftLogNoOpLogHandler() }),
        shuffle: @escaping @Sendable ([Lease]) -> [Lease] = { $0.shuffled() }
    ) {
        self.table = table
        self.configuration = configuration
        self.now = now
        self.wallMillis = wallMillis
        self.metrics = metrics
        self.events = events
        self.logger = logger
        self.shuffle = shuffle
    }

    private var owner: String { configuration.owner }

    /// The shards this node holds (readable or not yet).
    public var heldShards: Set<String> { state.withLock { Set($0.held.keys) } }

    /// The leases as last scanned.
    public var leases: [Lease] { state.withLock { Array($0.leases.values) } }

    /// One round: renew, create leases for `listed` shards that have none, scan, take.
    /// - Parameters:
    ///   - listed: The stream's shards as last listed.
    ///   - taking: Whether to take leases (`false` while shutting down: renew only).
    ///   - renewing: Whether to renew (`false` for the scans between renewals, which see expiry sooner).
    /// - Throws: ``AWSError`` from the scan, creation or takes (renewal failures are handled per lease).
    public func round(listed: [ShardLineage], taking: Bool = true, renewing: Bool = true) async throws {
        if renewing { try await renewAll() }
        guard taking else { return }
        var scanned = try await table.leases()
        let known = Set(scanned.map(\.shardID))
        var created = false
        for shard in listed where !known.contains(shard.shardID) {
            if try await table.create(Lease(stream: table.stream, shardID: shard.shardID, parents: shard.parents.sorted())) { created = true }
        }
        if created { scanned = try await table.leases() }
        let observedAt = now()
        let held = state.withLock { state in
            state.leases = Dictionary(scanned.map { ($0.shardID, $0) }, uniquingKeysWith: { first, _ in first })
            for lease in scanned {
                let seen = state.observed[lease.leaseKey]
                if seen == nil || seen?.counter != lease.counter || seen?.owner != lease.owner {
                    state.observed[lease.leaseKey] = (lease.counter, lease.owner, observedAt)
                }
            }
            return Set(state.held.keys)
        }
        let choice = LeaseBalancer.choose(scanned, me: owner, held: held, isExpired: isExpired, shuffle: shuffle)
        for lease in choice.take { try await take(lease, stolen: false) }
        if let lease = choice.steal { try await take(lease, stolen: true) }
        metrics?.leasesHeld(state.withLock { $0.held.count })
    }

    /// Whether another node's lease has expired: its counter unchanged for the timeout since this node first saw it.
    func isExpired(_ lease: Lease) -> Bool {
        guard lease.owner != nil else { return true }
        let seen = state.withLock { $0.observed[lease.leaseKey] }
        guard let seen, seen.counter == lease.counter else { return false }
        return now() - seen.since >= configuration.timeout
    }

    private func take(_ lease: Lease, stolen: Bool) async throws {
        let sentAt = now()
        guard let taken = try await table.take(lease, owner: owner) else {
            logger.debug("Another node took the lease first", metadata: ["sv.shard.id": "\(lease.shardID)"])
            return
        }
        // A live owner stops only once its own renewal is `timeout - margin` old: wait the whole timeout.
        let readFrom = stolen ? sentAt + configuration.timeout : sentAt
        state.withLock { state in
            state.held[taken.shardID] = Held(lease: taken, renewedAt: sentAt, readFrom: readFrom, grant: state.nextGrant)
            state.nextGrant += 1
            state.leases[taken.shardID] = taken
        }
        if stolen { metrics?.leaseStolen() } else { metrics?.leaseTaken() }
        let delay = readFrom - now()
        events(
            .taken(
                shardID: taken.shardID,
                previousOwner: lease.owner,
                stolen: stolen,
                checkpoint: taken.checkpoint,
                readingFromMillis: wallMillis() + max(Self.millis(delay), 0)
            )
        )
    }

    /// Renews every held lease, up to 16 at once (a node holding many leases still renews each within its interval).
    private func renewAll() async throws {
        var pending = state.withLock { Array($0.held.values) }[...]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                guard let held = pending.popFirst() else { break }
                group.addTask { try await self.renew(held) }
            }
            while try await group.next() != nil {
                if let held = pending.popFirst() { group.addTask { try await self.renew(held) } }
            }
        }
    }

    private func renew(_ held: Held) async throws {
        let sentAt = now()
        do {
            let renewed = try await table.renew(held.lease, owner: owner)
            state.withLock { state in
                guard state.held[renewed.shardID]?.grant == held.grant else { return }
                state.held[renewed.shardID]?.lease.counter = renewed.counter
                state.held[renewed.shardID]?.renewedAt = sentAt
            }
        } catch let lost as LeaseLost {
            drop(held, reason: lost.description)
        } catch let error as AWSError {
            logger.debug("Renewing a lease failed", metadata: ["sv.shard.id": "\(held.lease.shardID)", "sv.error": "\(error)"])
            if now() - held.renewedAt >= validity {
                drop(held, reason: "its lease could not be renewed for \(validity) (\(error.message))")
            }
        }
    }

    /// How long after a successful renewal this node may still write.
    var validity: Duration { configuration.timeout - configuration.safetyMargin }

    private func drop(_ held: Held, reason: String) {
        let renewedAt = state.withLock { state -> Duration? in
            guard let current = state.held[held.lease.shardID], current.grant == held.grant else { return nil }
            state.held[held.lease.shardID] = nil
            return current.renewedAt
        }
        guard let renewedAt else { return }
        metrics?.leaseLost()
        metrics?.leasesHeld(state.withLock { $0.held.count })
        // When this node stopped writing the shard: now, or earlier if ``mayWrite(_:)`` has refused since the
        // renewal got too old (noticing the loss later does not mean writing until then).
        let overdue = now() - (renewedAt + validity)
        events(.lost(shardID: held.lease.shardID, reason: reason, atMillis: wallMillis() - max(Self.millis(overdue), 0)))
    }

    /// The shards this node may read now: held, valid, past their start time, parents finished.
    public func grants() -> [LeaseGrant] {
        let time = now()
        return state.withLock { state in
            state.held.values.compactMap { held -> LeaseGrant? in
                guard time >= held.readFrom, time - held.renewedAt < validity, !held.lease.isFinished else { return nil }
                let parentsDone = held.lease.parents.allSatisfy { state.leases[$0].map(\.isFinished) ?? true }
                guard parentsDone else { return nil }
                return LeaseGrant(
                    shard: ShardLineage(
                        shardID: held.lease.shardID,
                        parentShardID: held.lease.parents.first,
                        adjacentParentShardID: held.lease.parents.dropFirst().first
                    ),
                    resumeAfter: held.lease.resumeAfter,
                    id: held.grant
                )
            }
            .sorted { $0.shard.shardID < $1.shard.shardID }
        }
    }

    /// Whether this node may still write records of a shard under `grant`: the lease is held under that grant and
    /// its last renewal is recent enough that nobody can have taken it. Checked before every page is appended.
    public func mayWrite(_ grant: LeaseGrant) -> Bool {
        let time = now()
        let held = state.withLock { $0.held[grant.shard.shardID] }
        guard let held, held.grant == grant.id else { return false }
        if time - held.renewedAt < validity { return true }
        drop(held, reason: "its lease was last renewed \(time - held.renewedAt) ago, past the timeout less the safety margin (\(validity))")
        return false
    }

    /// Moves the lease checkpoint of a shard held under `grant` (conditional on the lease counter: fencing).
    /// - Throws: ``LeaseLost`` when the lease is no longer held (this node stops reading the shard).
    public func checkpoint(_ grant: LeaseGrant, to checkpoint: String) async throws {
        guard let held = state.withLock({ $0.held[grant.shard.shardID] }), held.grant == grant.id else {
            throw LeaseLost(shardID: grant.shard.shardID, action: "checkpoint")
        }
        do {
            let sentAt = wallMillis()
            let written = try await withOwnCounter(held) { lease in try await self.table.checkpoint(lease, owner: self.owner, to: checkpoint) }
            if checkpoint == Lease.shardEnd { events(.finished(shardID: grant.shard.shardID, atMillis: sentAt)) }
            state.withLock { state in
                guard state.held[grant.shard.shardID]?.grant == grant.id else { return }
                state.held[grant.shard.shardID]?.lease.checkpoint = written.checkpoint
                state.leases[grant.shard.shardID] = written
            }
        } catch let lost as LeaseLost {
            drop(held, reason: lost.description)
            throw lost
        }
    }

    /// Runs a write conditional on the held counter; when it is refused, looks whether this node still owns the
    /// lease (its own renewal in flight may have moved the counter: nobody else ever writes this owner's name)
    /// and tries once more with the counter the table has.
    private func withOwnCounter<T>(_ held: Held, _ write: @Sendable (Lease) async throws -> T) async throws -> T {
        do {
            return try await write(held.lease)
        } catch let lost as LeaseLost {
            guard let current = try await table.lease(shardID: held.lease.shardID), current.owner == owner, current.counter != held.lease.counter,
                state.withLock({ $0.held[held.lease.shardID]?.grant }) == held.grant
            else { throw lost }
            var lease = held.lease
            lease.counter = current.counter
            return try await write(lease)
        }
    }

    /// Gives up the lease of a shard held under `grant` (a finished shard, or shutdown).
    public func release(_ grant: LeaseGrant) async {
        guard let held = state.withLock({ $0.held[grant.shard.shardID] }), held.grant == grant.id else { return }
        await release(held)
    }

    private func release(_ held: Held) async {
        do {
            try await withOwnCounter(held) { lease in try await self.table.release(lease, owner: self.owner) }
        } catch {
            logger.debug("Releasing a lease failed; it expires instead", metadata: ["sv.shard.id": "\(held.lease.shardID)", "sv.error": "\(error)"])
        }
        let removed = state.withLock { state in
            guard state.held[held.lease.shardID]?.grant == held.grant else { return false }
            state.held[held.lease.shardID] = nil
            return true
        }
        guard removed else { return }
        metrics?.leasesHeld(state.withLock { $0.held.count })
        events(.released(shardID: held.lease.shardID, atMillis: wallMillis()))
    }

    /// Releases every lease held (graceful shutdown, after the last commit and checkpoints), so other nodes take
    /// them at once instead of after a timeout.
    public func releaseAll() async {
        for held in state.withLock({ Array($0.held.values) }) { await release(held) }
    }

    static func millis(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
