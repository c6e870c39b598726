/// Deterministic, realistic DynamoDB change records for an `Orders` table with a NEW_AND_OLD_IMAGES
/// stream: inserts, status updates and (TTL) deletes with nested maps, lists, sets, numbers and binary,
/// about 1.2 KB per record. Used by `streamvault sample`, the quickstart, tests and the benchmark.
public struct OrdersGenerator: Sendable {
    /// What to generate.
    public struct Configuration: Sendable {
        /// Number of records.
        public var records: Int
        /// Number of shards the records are spread over.
        public var shards: Int
        /// Event time of the first record, epoch seconds.
        public var startSeconds: Int64
        /// Time the records span, seconds (default one day).
        public var spanSeconds: Int64
        /// Seed of the pseudo-random choices: same seed, same bytes.
        public var seed: UInt64
        public var region: String

        public init(
            records: Int,
            shards: Int = 4,
            startSeconds: Int64 = 1_767_225_600,
            spanSeconds: Int64 = 86_400,
            seed: UInt64 = 42,
            region: String = "us-east-1"
        ) {
            self.records = records
            self.shards = shards
            self.startSeconds = startSeconds
            self.spanSeconds = spanSeconds
            self.seed = seed
            self.region = region
        }
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// The shard id of shard number `index`, shaped like DynamoDB's.
    public static func shardID(_ index: Int) -> String {
        "shardId-00000001767225600000-" + String(String(0xa1b2_c3d4 &+ UInt32(index) &* 0x9e37, radix: 16).suffix(8))
    }

    /// Calls `body` with each record's shard index and its one-line JSON text, in event-time order.
    public func generate(_ body: (Int, [UInt8]) throws -> Void) rethrows {
        var rng = SplitMix64(seed: configuration.seed)
        var line: [UInt8] = []
        line.reserveCapacity(4096)
        let n = max(configuration.records, 1)
        for i in 0..<configuration.records {
            let shard = i % configuration.shards
            let seconds = configuration.startSeconds + Int64(i) * configuration.spanSeconds / Int64(n)
            line.removeAll(keepingCapacity: true)
            record(i, shard: shard, seconds: seconds, rng: &rng, into: &line)
            try body(shard, line)
        }
    }

    private func record(_ i: Int, shard: Int, seconds: Int64, rng: inout SplitMix64, into out: inout [UInt8]) {
        let order = i / 3  // each order: insert, then an update, then sometimes a delete
        let phase = i % 3
        let eventName = phase == 0 ? "INSERT" : (phase == 2 && order % 5 == 0 ? "REMOVE" : "MODIFY")
        let customer = "CUSTOMER#\(10_000 + order % 7919)"
        let orderID = "ORDER#\(2026_000_000 + order)"
        let eventID = hex(rng.next()) + hex(rng.next())
        let sequence = String(100_000_000_000_000_000 + UInt64(i) * 16 + UInt64(shard)) + "000"
        var text = "{\"eventID\":\"\(eventID)\",\"eventName\":\"\(eventName)\",\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\","
        text += "\"awsRegion\":\"\(configuration.region)\",\"dynamodb\":{\"ApproximateCreationDateTime\":\(seconds),"
        text += "\"Keys\":{\"pk\":{\"S\":\"\(customer)\"},\"sk\":{\"S\":\"\(orderID)\"}},"
        let oldStatus = ["PENDING", "PAID", "PACKED", "SHIPPED"][order % 4]
        let newStatus = ["PAID", "PACKED", "SHIPPED", "DELIVERED"][order % 4]
        switch eventName {
        case "INSERT":
            text += "\"NewImage\":" + image(order, customer, orderID, status: "PENDING", version: 1, rng: &rng) + ","
        case "MODIFY":
            text += "\"NewImage\":" + image(order, customer, orderID, status: newStatus, version: 2 + phase, rng: &rng) + ","
            text += "\"OldImage\":" + image(order, customer, orderID, status: oldStatus, version: 1 + phase, rng: &rng) + ","
        default:
            text += "\"OldImage\":" + image(order, customer, orderID, status: newStatus, version: 3, rng: &rng) + ","
        }
        text += "\"SequenceNumber\":\"\(sequence)\",\"SizeBytes\":\(900 + Int(rng.next() % 600)),\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}"
        if eventName == "REMOVE" && order % 10 == 0 {
            text += ",\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":\"Service\"}"  // a TTL delete
        }
        text += "}"
        out.append(contentsOf: text.utf8)
    }

    private func image(_ order: Int, _ customer: String, _ orderID: String, status: String, version: Int, rng: inout SplitMix64) -> String {
        let itemCount = 1 + order % 3
        var items: [String] = []
        var total = 0
        for k in 0..<itemCount {
            let cents = 199 + Int((UInt64(order &* 31 &+ k &* 7) &* 2_654_435_761) % 15_000)
            let qty = 1 + (order + k) % 4
            total += cents * qty
            items.append(
                "{\"M\":{\"sku\":{\"S\":\"SKU-\(100_000 + (order * 13 + k * 101) % 90_000)\"},\"name\":{\"S\":\"\(Self.products[(order + k) % Self.products.count])\"},"
                    + "\"qty\":{\"N\":\"\(qty)\"},\"price\":{\"N\":\"\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)\"}}}"
            )
        }
        let city = Self.cities[order % Self.cities.count]
        var s = "{\"pk\":{\"S\":\"\(customer)\"},\"sk\":{\"S\":\"\(orderID)\"},\"status\":{\"S\":\"\(status)\"},"
        s += "\"total\":{\"N\":\"\(total / 100).\(total % 100 < 10 ? "0" : "")\(total % 100)\"},\"currency\":{\"S\":\"EUR\"},"
        s += "\"items\":{\"L\":[\(items.joined(separator: ","))]},"
        s +=
            "\"shipTo\":{\"M\":{\"name\":{\"S\":\"\(Self.names[order % Self.names.count])\"},\"line1\":{\"S\":\"\(order % 200 + 1) \(Self.streets[order % Self.streets.count])\"},"
        s += "\"city\":{\"S\":\"\(city.0)\"},\"postcode\":{\"S\":\"\(10_000 + order % 89_999)\"},\"country\":{\"S\":\"\(city.1)\"}}},"
        s += "\"tags\":{\"SS\":[\"web\",\"\(order % 2 == 0 ? "promo" : "repeat")\"]},"
        s +=
            "\"payment\":{\"M\":{\"method\":{\"S\":\"card\"},\"last4\":{\"S\":\"\(1000 + order % 9000)\"},\"authCode\":{\"B\":\"\(base64(rng.next()))\"}}},"
        s += "\"giftWrap\":{\"BOOL\":\(order % 7 == 0 ? "true" : "false")},\"note\":{\"NULL\":true},\"version\":{\"N\":\"\(version)\"},"
        s +=
            "\"createdAt\":{\"S\":\"2026-01-01T\(pad(order / 3600 % 24)):\(pad(order / 60 % 60)):\(pad(order % 60))Z\"},\"expiresAt\":{\"N\":\"\(1_798_761_600 + order)\"}}"
        return s
    }

    private func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    private func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    private func base64(_ v: UInt64) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var bytes = withUnsafeBytes(of: v.bigEndian) { Array($0) } + [0x5A]
        var out = ""
        while bytes.count >= 3 {
            let n = Int(bytes[0]) << 16 | Int(bytes[1]) << 8 | Int(bytes[2])
            out.append(table[n >> 18 & 63])
            out.append(table[n >> 12 & 63])
            out.append(table[n >> 6 & 63])
            out.append(table[n & 63])
            bytes.removeFirst(3)
        }
        return out
    }

    static let products = [
        "Espresso beans 1kg", "Ceramic mug", "Pour-over kettle", "Grinder burr set", "Paper filters x100", "Oat milk 6-pack", "Gift card",
        "Café au lait bowl",
    ]
    static let cities = [("Berlin", "DE"), ("Lyon", "FR"), ("Porto", "PT"), ("Kraków", "PL"), ("Utrecht", "NL"), ("Göteborg", "SE")]
    static let names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson"]
    static let streets = ["Main Street", "Rue de la Paz", "Hauptstraße", "Long Lane"]
}
