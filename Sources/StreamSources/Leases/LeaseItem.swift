import AWSCore

/// A DynamoDB attribute value, as far as lease items use them (S, N, SS).
enum LeaseAttribute: Codable, Sendable, Hashable {
    case string(String)
    case number(String)
    case strings([String])
    case other

    private enum Keys: String, CodingKey { case S, N, SS }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if let value = try container.decodeIfPresent(String.self, forKey: .S) {
            self = .string(value)
        } else if let value = try container.decodeIfPresent(String.self, forKey: .N) {
            self = .number(value)
        } else if let value = try container.decodeIfPresent([String].self, forKey: .SS) {
            self = .strings(value)
        } else {
            self = .other
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        case .strings(let value): try container.encode(value, forKey: .SS)
        case .other: break
        }
    }

    static func number(_ value: Int64) -> LeaseAttribute { .number(String(value)) }
}

/// A lease as a DynamoDB item, and back.
enum LeaseItem {
    typealias Item = [String: LeaseAttribute]

    static func item(_ lease: Lease) -> Item {
        var item: Item = [
            "leaseKey": .string(lease.leaseKey),
            "shardId": .string(lease.shardID),
            "leaseCounter": .number(lease.counter),
            "checkpoint": .string(lease.checkpoint),
            "ownerSwitchesSinceCheckpoint": .number(lease.ownerSwitchesSinceCheckpoint),
        ]
        if let owner = lease.owner { item["leaseOwner"] = .string(owner) }
        // A string set cannot be empty: a root shard has no `parents` attribute.
        if !lease.parents.isEmpty { item["parents"] = .strings(lease.parents) }
        return item
    }

    /// Reads an item of `stream`; throws naming the attribute that is missing or malformed.
    static func lease(_ item: Item, stream: String, table: String) throws -> Lease {
        func fail(_ field: String, _ expected: String) -> AWSError {
            let key: String
            if case .string(let value)? = item["leaseKey"] { key = value } else { key = "?" }
            return AWSError(
                code: .invalidResponse,
                message: "Lease item '\(key)' of table '\(table)' has no valid '\(field)' (expected \(expected)). "
                    + "Is the table used by something else than StreamVault? Point --lease-table at a table of its own."
            )
        }
        guard case .string(let key)? = item["leaseKey"] else { throw fail("leaseKey", "a string") }
        let prefix = stream + ":"
        guard key.hasPrefix(prefix), key.count > prefix.count else { throw fail("leaseKey", "'\(stream):<shardId>'") }
        guard case .number(let counterText)? = item["leaseCounter"], let counter = Int64(counterText) else {
            throw fail("leaseCounter", "a number")
        }
        guard case .string(let checkpoint)? = item["checkpoint"] else { throw fail("checkpoint", "a string") }
        var owner: String?
        if let value = item["leaseOwner"] {
            guard case .string(let text) = value else { throw fail("leaseOwner", "a string") }
            owner = text
        }
        var parents: [String] = []
        if let value = item["parents"] {
            guard case .strings(let list) = value else { throw fail("parents", "a string set") }
            parents = list.sorted()
        }
        var switches: Int64 = 0
        if let value = item["ownerSwitchesSinceCheckpoint"] {
            guard case .number(let text) = value, let number = Int64(text) else { throw fail("ownerSwitchesSinceCheckpoint", "a number") }
            switches = number
        }
        return Lease(
            stream: stream,
            shardID: String(key.dropFirst(prefix.count)),
            owner: owner,
            counter: counter,
            checkpoint: checkpoint,
            parents: parents,
            ownerSwitchesSinceCheckpoint: switches
        )
    }
}
