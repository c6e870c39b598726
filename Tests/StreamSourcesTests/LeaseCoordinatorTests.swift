import AWSCore
import AsyncHTTPClient
import Foundation
import MetricsTestKit
import StreamModel
import StreamSources
import StreamVaultTesting
import Synchronization
import Testing

/// The lease table and KCL's algorithm against moto's DynamoDB, each node on a test clock of its own (the
/// coordinator never compares two nodes' clocks, so they are moved independently).
@Suite(.timeLimit(.minutes(1)))
struct LeaseCoordinatorTests {
    static let shards = (0..<8).map { ShardLineage(shardID: String(format: "shardId-%012d", $0)) }

    /// One archiver node: a coordinator on its own clock.
    struct Node {
        let name: String
        let clock = TestClock()
        let metrics = TestMetrics()
        let coordinator: LeaseCoordinator

        init(_ name: String, table: LeaseTable, timeout: Duration = .seconds(3)) {
            self.name = name
            let clock = self.clock
            coordinator = LeaseCoordinator(
                table: table,
                configuration: LeaseConfiguration(timeout: timeout, owner: name),
                now: { clock.now.offset },
                wallMillis: { clock.epochMillis },
                metrics: ArchiverMetrics(stream: "orders", factory: metrics),
                shuffle: { $0.sorted { $0.shardID < $1.shardID } }
            )
        }

        func round(_ listed: [ShardLineage] = LeaseCoordinatorTests.shards) async throws {
            try await coordinator.round(listed: listed)
        }
    }

    static func table(_ endpoint: String, stream: String = "orders") async throws -> LeaseTable {
        let environment = try AWSEnvironment.resolve(
            environment: [
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "us-east-1",
            ],
            endpointURL: endpoint,
            readFile: { _ in nil }
        )
        let table = LeaseTable(
            client: AWSJSONClient(service: .dynamoDB, environment: environment, httpClient: .shared),
            name: "leases",
            stream: stream
        )
        try await table.ensureExists()
        return table
    }

    static func owners(_ table: LeaseTable) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for lease in try await table.leases() { counts[lease.owner ?? "-", default: 0] += 1 }
        return counts
    }

    @Test func createsTheTableOnceAndTheLeasesWithTheirItemFormat() async throws {
        try await MotoServer.with { endpoint in
            let table = try await Self.table(endpoint)
            try await table.ensureExists()  // exists already: nothing to do
            let lineage = [
                ShardLineage(shardID: "a"), ShardLineage(shardID: "b"), ShardLineage(shardID: "c", parentShardID: "a", adjacentParentShardID: "b"),
            ]
            let node = Node("node-1", table: table)
            try await node.round(lineage)
            let leases = try await table.leases().sorted { $0.shardID < $1.shardID }
            #expect(leases.map(\.leaseKey) == ["orders:a", "orders:b", "orders:c"])
            #expect(leases.map(\.parents) == [[], [], ["a", "b"]])
            #expect(leases.allSatisfy { $0.checkpoint == Lease.trimHorizon })
            // The child counts only once both parents are finished: the node holds the two roots only.
            #expect(leases.filter { $0.owner == "node-1" }.map(\.shardID) == ["a", "b"])
            #expect(!(try await table.create(Lease(stream: "orders", shardID: "a"))), "a lease is created once")
            // Another stream in the same table is invisible here.
            let other = try await Self.table(endpoint, stream: "payments")
            #expect(try await other.leases().isEmpty)
        }
    }

    @Test func aTableWithAnotherKeyIsNotTakenForALeaseTable() async throws {
        try await MotoServer.with { endpoint in
            _ = try await MotoServer.python(
                """
                import sys, boto3
                boto3.client("dynamodb", endpoint_url=sys.argv[1]).create_table(TableName="leases", BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
                """,
                [endpoint]
            )
            let error = await #expect(throws: AWSError.self) { _ = try await Self.table(endpoint) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains("not a lease table") == true, "\(String(describing: error))")
        }
    }

    @Test func aStaleOwnersCheckpointAndRenewalAreRefused() async throws {
        try await MotoServer.with { endpoint in
            let table = try await Self.table(endpoint)
            let a = Node("node-a", table: table)
            try await a.round()
            let grants = a.coordinator.grants()
            #expect(grants.count == 8)
            let grant = try #require(grants.first)
            try await a.coordinator.checkpoint(grant, to: "100")

            // node-b sees node-a's counters, then node-a stops renewing (paused, partitioned) for a lease timeout.
            let b = Node("node-b", table: table)
            try await b.round()
            #expect(b.coordinator.heldShards.count == 1, "node-a's leases are alive: one is stolen for balance, none taken as expired")
            b.clock.advance(by: .seconds(3))
            try await b.round()
            #expect(b.coordinator.heldShards.count == 8, "all of node-a's leases expired on node-b's clock")
            let taken = try #require(try await table.lease(shardID: grant.shard.shardID))
            #expect(taken.owner == "node-b" && taken.checkpoint == "100" && taken.ownerSwitchesSinceCheckpoint == 1)

            // node-a wakes up. Its own clock says its lease is past timeout - margin: it must not write...
            a.clock.advance(by: .seconds(3))
            #expect(!a.coordinator.mayWrite(grant))
            // ...and a checkpoint write from it is refused by the table (fencing on owner and counter).
            await #expect(throws: LeaseLost.self) {
                _ = try await table.checkpoint(
                    Lease(stream: "orders", shardID: grant.shard.shardID, owner: "node-a", counter: 1),
                    owner: "node-a",
                    to: "200"
                )
            }
            await #expect(throws: LeaseLost.self) { try await a.coordinator.checkpoint(grant, to: "200") }
            // Same for a renewal with what node-a held.
            await #expect(throws: LeaseLost.self) {
                _ = try await table.renew(Lease(stream: "orders", shardID: grant.shard.shardID, owner: "node-a", counter: 1), owner: "node-a")
            }
            #expect(try await table.lease(shardID: grant.shard.shardID)?.checkpoint == "100", "the stale owner's checkpoint did not land")
            // The new owner's checkpoint is accepted.
            let bGrant = try #require(b.coordinator.grants().first { $0.shard.shardID == grant.shard.shardID })
            #expect(bGrant.resumeAfter == "100")
            try await b.coordinator.checkpoint(bGrant, to: "150")
            #expect(try await table.lease(shardID: grant.shard.shardID)?.checkpoint == "150")
            #expect(try b.metrics.expectCounter("streamvault.archiver.leases_stolen", [("stream", "orders")]).totalValue == 1)
            #expect(try b.metrics.expectCounter("streamvault.archiver.leases_taken", [("stream", "orders")]).totalValue == 7)
            #expect(try b.metrics.expectGauge("streamvault.archiver.leases_held", [("stream", "orders")]).lastValue == 8)
            #expect(try a.metrics.expectCounter("streamvault.archiver.leases_lost", [("stream", "orders")]).totalValue == 1)
        }
    }

    @Test func aLeaseIsExpiredOnlyAfterTheTimeoutOnTheObserversClock() async throws {
        try await MotoServer.with { endpoint in
            let table = try await Self.table(endpoint)
            let a = Node("node-a", table: table)
            let b = Node("node-b", table: table)
            try await a.round()
            try await b.round()  // first sight of node-a's counters
            // node-a renews every timeout / 3: node-b sees the counters move and never takes anything.
            for _ in 0..<6 {
                a.clock.advance(by: .seconds(1))
                b.clock.advance(by: .seconds(1))
                try await a.round()
                try await b.round()
                #expect(a.coordinator.heldShards.count >= 4)
            }
            // Balanced by stealing one lease a round: 4 each (8 leases, 2 workers).
            #expect(try await Self.owners(table) == ["node-a": 4, "node-b": 4])
            // node-a stops (killed). Just short of the timeout on node-b's clock nothing is taken.
            b.clock.advance(by: .milliseconds(2900))
            try await b.round()
            #expect(b.coordinator.heldShards.count == 4)
            b.clock.advance(by: .milliseconds(200))
            try await b.round()
            #expect(b.coordinator.heldShards.count == 8)
            // Expired leases are read at once.
            #expect(b.coordinator.grants().count == 8)
        }
    }

    @Test func aJoiningNodeStealsOneLeaseARoundAndReadsItOnlyAfterATimeout() async throws {
        try await MotoServer.with { endpoint in
            let table = try await Self.table(endpoint)
            let nodes = [Node("node-a", table: table), Node("node-b", table: table), Node("node-c", table: table)]
            try await nodes[0].round()
            #expect(nodes[0].coordinator.heldShards.count == 8)
            var stolenAt: [String: Duration] = [:]
            for round in 0..<8 {
                for (index, node) in nodes.enumerated() where index <= 1 || round >= 3 {
                    let before = node.coordinator.heldShards
                    try await node.round()
                    let gained = node.coordinator.heldShards.subtracting(before)
                    #expect(gained.count <= 1 || before.isEmpty && index == 0, "at most one lease stolen a round")
                    for shard in gained { stolenAt[shard] = node.clock.now.offset }
                    // A stolen lease is not read before a lease timeout has passed on the stealer's clock.
                    for shard in gained { #expect(!node.coordinator.grants().contains { $0.shard.shardID == shard }) }
                }
                for node in nodes { node.clock.advance(by: .seconds(1)) }
            }
            let counts = try await Self.owners(table)
            #expect(counts.values.sorted() == [2, 3, 3], "\(counts)")
            #expect(Set(counts.keys) == ["node-a", "node-b", "node-c"])
            // Each node reads all it holds once the timeout passed.
            for node in nodes { node.clock.advance(by: .seconds(3)) }
            for node in nodes {
                try await node.round()
                #expect(Set(node.coordinator.grants().map(\.shard.shardID)) == node.coordinator.heldShards)
            }
        }
    }

    @Test func aChildShardIsWorkedOnlyOnceItsParentsSayShardEnd() async throws {
        try await MotoServer.with { endpoint in
            let table = try await Self.table(endpoint)
            let lineage = [
                ShardLineage(shardID: "p1"), ShardLineage(shardID: "p2"),
                ShardLineage(shardID: "merged", parentShardID: "p1", adjacentParentShardID: "p2"),
            ]
            let nodes = [Node("node-a", table: table), Node("node-b", table: table)]
            func rounds(after delay: Duration = .zero) async throws {
                for node in nodes { node.clock.advance(by: delay) }
                for node in nodes { try await node.round(lineage) }
            }
            func grants() -> [LeaseGrant] { nodes.flatMap { $0.coordinator.grants() } }
            /// The holder of `shard` archives it to its end: SHARD_END, then the lease is released.
            func finish(_ shard: String) async throws {
                for node in nodes {
                    guard let grant = node.coordinator.grants().first(where: { $0.shard.shardID == shard }) else { continue }
                    try await node.coordinator.checkpoint(grant, to: Lease.shardEnd)
                    await node.coordinator.release(grant)
                    return
                }
                Issue.record("nobody may read \(shard)")
            }
            try await rounds()
            #expect(nodes.reduce(Set<String>()) { $0.union($1.coordinator.heldShards) } == ["p1", "p2"])
            try await rounds(after: .seconds(3))  // a stolen lease is read a timeout later
            #expect(Set(grants().map(\.shard.shardID)) == ["p1", "p2"])
            // p1 is finished: the child still waits for p2.
            try await finish("p1")
            try await rounds(after: .seconds(1))
            #expect(!grants().contains { $0.shard.shardID == "merged" })
            #expect(nodes.allSatisfy { !$0.coordinator.heldShards.contains("merged") })
            // p2 is finished too: now one node takes the child, with both parents in its grant.
            try await finish("p2")
            try await rounds(after: .seconds(1))
            try await rounds(after: .seconds(3))
            let child = try #require(grants().first { $0.shard.shardID == "merged" })
            #expect(child.shard.parents == ["p1", "p2"] && child.resumeAfter == nil)
            // Finished leases are not taken again.
            #expect(nodes.allSatisfy { $0.coordinator.heldShards == [] || $0.coordinator.heldShards == ["merged"] })
        }
    }

    @Test func aReleasedLeaseIsTakenAtOnceWithItsCheckpoint() async throws {
        try await MotoServer.with { endpoint in
            let table = try await Self.table(endpoint)
            let a = Node("node-a", table: table)
            let b = Node("node-b", table: table)
            try await a.round()
            for grant in a.coordinator.grants() { try await a.coordinator.checkpoint(grant, to: "7\(grant.shard.shardID.suffix(1))") }
            await a.coordinator.releaseAll()
            #expect(try await Self.owners(table) == ["-": 8])
            try await b.round()  // no timeout to wait: nobody owns them
            let grants = b.coordinator.grants()
            #expect(grants.count == 8)
            #expect(grants.allSatisfy { $0.resumeAfter == "7\($0.shard.shardID.suffix(1))" })
        }
    }
}
