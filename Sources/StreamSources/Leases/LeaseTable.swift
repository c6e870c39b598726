public import AWSCore

/// The lease table in DynamoDB: one item per shard (see ``Lease``), written only with conditional writes, the way
/// the Kinesis Client Library keeps its leases.
///
/// | write | condition | effect |
/// |---|---|---|
/// | ``create(_:)`` | `attribute_not_exists(leaseKey)` | a new shard's lease, unowned, at TRIM_HORIZON |
/// | ``renew(_:owner:)`` | owner = me AND counter = what I hold | counter + 1 |
/// | ``take(_:owner:)`` | counter and owner = what I observed | owner = me, counter + 1, owner switches + 1 |
/// | ``release(_:owner:)`` | owner = me AND counter = what I hold | owner removed, counter + 1 |
/// | ``checkpoint(_:owner:to:)`` | owner = me AND counter = what I hold | checkpoint moved (fencing: a stale owner is refused) |
///
/// ```swift
/// let table = LeaseTable(client: AWSJSONClient(service: .dynamoDB, environment: aws, httpClient: http), name: "streamvault-leases", stream: "orders")
/// try await table.ensureExists()
/// ```
public struct LeaseTable: Sendable {
    /// The JSON client (service ``AWSService/dynamoDB``).
    public let client: AWSJSONClient
    /// The table's name.
    public let name: String
    /// The archive's stream name (the prefix of this stream's lease keys).
    public let stream: String

    /// Creates the lease table's client.
    /// - Parameters:
    ///   - client: A JSON client for ``AWSService/dynamoDB``.
    ///   - name: The table's name.
    ///   - stream: The archive's stream name.
    public init(client: AWSJSONClient, name: String, stream: String) {
        self.client = client
        self.name = name
        self.stream = stream
    }

    private typealias Item = LeaseItem.Item

    private struct Empty: Codable {}

    /// Creates the table if it does not exist (on-demand capacity, hash key `leaseKey`), then waits until it is ACTIVE.
    /// - Parameter sleep: What waits between checks (the test clock in tests).
    /// - Throws: ``AWSError``; ``AWSError/Code/invalidConfiguration`` when the table exists with another key.
    public func ensureExists(sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) async throws {
        struct Describe: Encodable { var TableName: String }
        struct Described: Decodable {
            struct Table: Decodable {
                struct Key: Decodable {
                    var AttributeName: String
                    var KeyType: String
                }
                var TableStatus: String?
                var KeySchema: [Key]?
            }
            var Table: Table
        }
        struct Create: Encodable {
            struct Definition: Encodable {
                var AttributeName: String
                var AttributeType: String
            }
            struct Key: Encodable {
                var AttributeName: String
                var KeyType: String
            }
            var TableName: String
            var AttributeDefinitions: [Definition]
            var KeySchema: [Key]
            var BillingMode: String
        }
        var created = false
        for _ in 0..<300 {
            let described: Described
            do {
                described = try await client.send(operation: "DescribeTable", input: Describe(TableName: name))
            } catch let error as AWSError where error.code == .resourceNotFound && !created {
                do {
                    let _: Empty = try await client.send(
                        operation: "CreateTable",
                        input: Create(
                            TableName: name,
                            AttributeDefinitions: [.init(AttributeName: "leaseKey", AttributeType: "S")],
                            KeySchema: [.init(AttributeName: "leaseKey", KeyType: "HASH")],
                            BillingMode: "PAY_PER_REQUEST"
                        )
                    )
                } catch let error as AWSError where error.awsType == "ResourceInUseException" {
                    // Another node created it at the same time.
                }
                created = true
                continue
            } catch let error as AWSError where error.code == .resourceNotFound {
                try await sleep(.milliseconds(200))  // created, not visible yet
                continue
            }
            let keys = described.Table.KeySchema ?? []
            guard keys.count == 1, keys.first?.AttributeName == "leaseKey" else {
                throw AWSError(
                    code: .invalidConfiguration,
                    message: "Table '\(name)' exists but its key is not the hash key 'leaseKey': it is not a lease table. "
                        + "Pass --lease-table with the name of a new table (it is created) or of a StreamVault lease table."
                )
            }
            if described.Table.TableStatus == "ACTIVE" { return }
            try await sleep(.milliseconds(200))
        }
        throw AWSError(
            code: .serviceUnavailable,
            message: "Lease table '\(name)' did not become ACTIVE within a minute; check it in the DynamoDB console and run again."
        )
    }

    /// Every lease of this stream (a consistent scan, all pages).
    /// - Returns: The leases, in no particular order.
    public func leases() async throws -> [Lease] {
        struct Scan: Encodable {
            var TableName: String
            var ConsistentRead = true
            var FilterExpression = "begins_with(#k, :prefix)"
            var ExpressionAttributeNames = ["#k": "leaseKey"]
            var ExpressionAttributeValues: Item
            var ExclusiveStartKey: Item?
        }
        struct Scanned: Decodable {
            var Items: [Item]?
            var LastEvaluatedKey: Item?
        }
        var leases: [Lease] = []
        var start: Item?
        repeat {
            let page: Scanned = try await client.send(
                operation: "Scan",
                input: Scan(TableName: name, ExpressionAttributeValues: [":prefix": .string(stream + ":")], ExclusiveStartKey: start)
            )
            for item in page.Items ?? [] { leases.append(try LeaseItem.lease(item, stream: stream, table: name)) }
            start = page.LastEvaluatedKey
        } while start != nil
        return leases
    }

    /// One shard's lease (a consistent read), or `nil` if it has none.
    public func lease(shardID: String) async throws -> Lease? {
        struct Get: Encodable {
            var TableName: String
            var Key: Item
            var ConsistentRead = true
        }
        struct Got: Decodable { var Item: Item? }
        let got: Got = try await client.send(
            operation: "GetItem",
            input: Get(TableName: name, Key: ["leaseKey": .string(Lease.key(stream: stream, shardID: shardID))])
        )
        return try got.Item.map { try LeaseItem.lease($0, stream: stream, table: name) }
    }

    /// Creates a shard's lease unless it exists.
    /// - Returns: Whether this call created it.
    @discardableResult
    public func create(_ lease: Lease) async throws -> Bool {
        struct Put: Encodable {
            var TableName: String
            var Item: Item
            var ConditionExpression = "attribute_not_exists(#k)"
            var ExpressionAttributeNames = ["#k": "leaseKey"]
        }
        do {
            let _: Empty = try await client.send(operation: "PutItem", input: Put(TableName: name, Item: LeaseItem.item(lease)))
            return true
        } catch let error as AWSError where Self.isConditionFailure(error) {
            return false
        }
    }

    /// Renews a held lease (counter + 1).
    /// - Returns: The lease as it is now.
    /// - Throws: `LeaseLost` when another node took it; ``AWSError``.
    public func renew(_ held: Lease, owner: String) async throws -> Lease {
        try await update(
            held,
            action: "renewal",
            set: "#c = :next",
            condition: "#o = :me AND #c = :held",
            values: [":next": .number(held.counter + 1), ":me": .string(owner), ":held": .number(held.counter)]
        )
    }

    /// Takes a lease whose counter was observed as `observed.counter` (expired, unowned, or stolen for balance).
    /// - Returns: The lease as it is now (with its current checkpoint), or `nil` when another node changed it first.
    public func take(_ observed: Lease, owner: String) async throws -> Lease? {
        // The owner observed is part of the condition too, so the condition names exactly the lease state the
        // choice was made on (an emulator's scan can show another node's take half applied; DynamoDB's cannot).
        var values: Item = [
            ":me": .string(owner), ":next": .number(observed.counter + 1), ":observed": .number(observed.counter), ":zero": .number(0),
            ":one": .number(1),
        ]
        let ownerCondition: String
        if let previous = observed.owner {
            ownerCondition = "#o = :previous"
            values[":previous"] = .string(previous)
        } else {
            ownerCondition = "attribute_not_exists(#o)"
        }
        do {
            return try await update(
                observed,
                action: "take",
                set: "#o = :me, #c = :next, #sw = if_not_exists(#sw, :zero) + :one",
                condition: "#c = :observed AND " + ownerCondition,
                values: values
            )
        } catch is LeaseLost {
            return nil
        }
    }

    /// Gives a held lease up (owner removed), so that another node can take it at once.
    /// - Throws: `LeaseLost` when it was no longer held; ``AWSError``.
    public func release(_ held: Lease, owner: String) async throws {
        _ = try await update(
            held,
            action: "release",
            set: "#c = :next REMOVE #o",
            condition: "#o = :me AND #c = :held",
            values: [":next": .number(held.counter + 1), ":me": .string(owner), ":held": .number(held.counter)]
        )
    }

    /// Moves a held lease's checkpoint; refused when the lease is no longer held as `held` (fencing).
    /// - Returns: The lease as it is now.
    /// - Throws: `LeaseLost` when another node took it; ``AWSError``.
    public func checkpoint(_ held: Lease, owner: String, to checkpoint: String) async throws -> Lease {
        try await update(
            held,
            action: "checkpoint",
            set: "#cp = :cp, #sw = :zero",
            condition: "#o = :me AND #c = :held",
            values: [":cp": .string(checkpoint), ":zero": .number(0), ":me": .string(owner), ":held": .number(held.counter)]
        )
    }

    private func update(_ lease: Lease, action: String, set: String, condition: String, values: Item) async throws -> Lease {
        struct Update: Encodable {
            var TableName: String
            var Key: Item
            var UpdateExpression: String
            var ConditionExpression: String
            var ExpressionAttributeNames: [String: String]
            var ExpressionAttributeValues: Item
            var ReturnValues = "ALL_NEW"
        }
        struct Updated: Decodable { var Attributes: Item? }
        // DynamoDB refuses names that the expressions do not use.
        let used = Set((set + " " + condition).split { !($0.isLetter || $0.isNumber || $0 == "#" || $0 == "_") }.map(String.init))
        let input = Update(
            TableName: name,
            Key: ["leaseKey": .string(lease.leaseKey)],
            UpdateExpression: "SET " + set,
            ConditionExpression: condition,
            ExpressionAttributeNames: ["#o": "leaseOwner", "#c": "leaseCounter", "#cp": "checkpoint", "#sw": "ownerSwitchesSinceCheckpoint"]
                .filter { used.contains($0.key) },
            ExpressionAttributeValues: values
        )
        let updated: Updated
        do {
            updated = try await client.send(operation: "UpdateItem", input: input)
        } catch let error as AWSError where Self.isConditionFailure(error) {
            throw LeaseLost(shardID: lease.shardID, action: action)
        }
        guard let item = updated.Attributes else {
            throw AWSError(code: .invalidResponse, message: "UpdateItem on lease table '\(name)' answered without the item's attributes.")
        }
        return try LeaseItem.lease(item, stream: stream, table: name)
    }

    static func isConditionFailure(_ error: AWSError) -> Bool { error.awsType == "ConditionalCheckFailedException" }
}
