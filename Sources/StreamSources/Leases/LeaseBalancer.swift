/// Which leases a node takes in one round, KCL's way: count the workers (distinct owners of unexpired leases,
/// plus this node), aim at `ceil(leases / workers)` each, take expired or unowned leases first, and only when
/// there are none steal one lease from the most loaded owner (so a node that joins gets its share, one lease a
/// round, without the others all letting go at once).
///
/// Pure: the lease table's view and the expiry decisions come in, the choice goes out.
enum LeaseBalancer {
    struct Choice: Equatable {
        /// Expired or unowned leases to take.
        var take: [Lease] = []
        /// A lease to steal from the most loaded owner.
        var steal: Lease?
    }

    /// Leases that count: not finished, and every parent finished (a child waits for its parents' SHARD_END).
    static func workable(_ leases: [Lease]) -> [Lease] {
        let byShard = Dictionary(leases.map { ($0.shardID, $0) }, uniquingKeysWith: { first, _ in first })
        return leases.filter { lease in
            !lease.isFinished && lease.parents.allSatisfy { parent in byShard[parent].map(\.isFinished) ?? true }
        }
    }

    /// - Parameters:
    ///   - leases: Every lease of the stream.
    ///   - me: This node.
    ///   - held: The shards this node holds.
    ///   - isExpired: Whether a lease owned by another node has expired.
    ///   - shuffle: Orders candidates (random in production, so that nodes do not all go for the same lease).
    static func choose(
        _ leases: [Lease],
        me: String,
        held: Set<String>,
        isExpired: (Lease) -> Bool,
        shuffle: ([Lease]) -> [Lease] = { $0.shuffled() }
    ) -> Choice {
        let workable = workable(leases)
        guard !workable.isEmpty else { return Choice() }
        var load: [String: Int] = [:]
        var available: [Lease] = []
        for lease in workable where !held.contains(lease.shardID) {
            if let owner = lease.owner, owner != me, !isExpired(lease) {
                load[owner, default: 0] += 1
            } else {
                available.append(lease)
            }
        }
        let mine = workable.count { held.contains($0.shardID) }
        let workers = load.count + 1
        let target = (workable.count + workers - 1) / workers
        let need = target - mine
        guard need > 0 else { return Choice() }
        if !available.isEmpty { return Choice(take: Array(shuffle(available).prefix(need))) }
        // Steal only from an owner above the target (or at it, when this node is more than one short), so that
        // loads of target and target - 1 do not pass a lease back and forth.
        guard let most = load.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
            most.value > target || (most.value == target && need > 1)
        else { return Choice() }
        return Choice(steal: shuffle(workable.filter { $0.owner == most.key }).first)
    }
}
