extension ARN {
    /// Byte ranges of an ARN's six colon-separated fields (the resource is everything after the fifth colon).
    public struct Fields: Sendable, Equatable {
        /// Each field's bytes, without the colons.
        public var partition: Range<Int>
        public var service: Range<Int>
        public var region: Range<Int>
        public var account: Range<Int>
        public var resource: Range<Int>
    }

    /// Splits ARN text into its fields without allocating; `nil` when it does not start with `arn:` or has
    /// fewer than six fields. Nothing else is checked (see ``init(_:)`` for that).
    public static func fields(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        let colon = UInt8(ascii: ":")
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "a"), bytes[1] == UInt8(ascii: "r"), bytes[2] == UInt8(ascii: "n"), bytes[3] == colon
        else { return nil }
        var starts = (4, 0, 0, 0, 0)
        var found = 0
        var i = 4
        while i < bytes.count && found < 4 {
            if bytes[i] == colon {
                found += 1
                switch found {
                case 1: starts.1 = i + 1
                case 2: starts.2 = i + 1
                case 3: starts.3 = i + 1
                default: starts.4 = i + 1
                }
            }
            i += 1
        }
        guard found == 4 else { return nil }
        return Fields(
            partition: starts.0..<(starts.1 - 1),
            service: starts.1..<(starts.2 - 1),
            region: starts.2..<(starts.3 - 1),
            account: starts.3..<(starts.4 - 1),
            resource: starts.4..<bytes.count
        )
    }

    /// The table name's bytes in a DynamoDB resource (`table/NAME` or `table/NAME/stream/LABEL`), or `nil`.
    public static func tableName(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: Fields) -> Range<Int>? {
        let prefix = "table/".utf8
        let resource = fields.resource
        guard resource.count > prefix.count, bytes[resource].starts(with: prefix) else { return nil }
        let start = resource.lowerBound + prefix.count
        var end = start
        while end < resource.upperBound, bytes[end] != UInt8(ascii: "/") { end += 1 }
        return end > start ? start..<end : nil
    }

    /// Parses and checks ARN text of one of the three kinds.
    /// - Throws: ``ARNError`` naming the part that is wrong and what was expected.
    public init(_ text: String) throws(ARNError) {
        let parts = Array(text.utf8).withUnsafeBufferPointer { bytes in
            Self.fields(bytes).map { f in
                [f.partition, f.service, f.region, f.account, f.resource].map { String(decoding: bytes[$0], as: UTF8.self) }
            }
        }
        guard let parts else {
            throw ARNError(
                code: .malformed,
                text: text,
                problem: "is not an ARN: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (six fields separated by ':')"
            )
        }
        let (partition, service, region, account, resource) = (parts[0], parts[1], parts[2], parts[3], parts[4])
        guard partition == "aws" || (partition.hasPrefix("aws-") && partition.utf8.allSatisfy(Self.isLowerAlphanumericOrDash)) else {
            throw ARNError(
                code: .partition,
                text: text,
                problem: "has partition '\(partition)': expected aws, aws-cn, aws-us-gov or another aws-* partition"
            )
        }
        guard !region.isEmpty, region.utf8.allSatisfy(Self.isLowerAlphanumericOrDash) else {
            throw ARNError(
                code: .region,
                text: text,
                problem: "has region '\(region)': expected a region such as us-east-1 (lowercase letters, digits, '-')"
            )
        }
        guard account.utf8.count == 12, account.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw ARNError(code: .account, text: text, problem: "has account '\(account)': expected a 12-digit account id")
        }
        let path = resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let parsed: Resource
        switch service {
        case "dynamodb":
            guard path.first == "table", path.count == 2 || path.count == 4 else {
                throw ARNError(
                    code: .resource,
                    text: text,
                    problem: "has DynamoDB resource '\(resource)': expected table/NAME or table/NAME/stream/LABEL"
                )
            }
            try Self.checkName(path[1], kind: "table name", length: 3...255, text: text)
            if path.count == 4 {
                guard path[2] == "stream", !path[3].isEmpty else {
                    throw ARNError(
                        code: .resource,
                        text: text,
                        problem: "has DynamoDB resource '\(resource)': expected table/NAME/stream/LABEL (LABEL like 2026-01-01T00:00:00.000)"
                    )
                }
                parsed = .dynamoDBStream(table: path[1], label: path[3])
            } else {
                parsed = .dynamoDBTable(name: path[1])
            }
        case "kinesis":
            guard path.count == 2, path[0] == "stream" else {
                throw ARNError(code: .resource, text: text, problem: "has Kinesis resource '\(resource)': expected stream/NAME")
            }
            try Self.checkName(path[1], kind: "stream name", length: 1...128, text: text)
            parsed = .kinesisStream(name: path[1])
        default:
            throw ARNError(code: .service, text: text, problem: "has service '\(service)': expected dynamodb or kinesis")
        }
        self.init(partition: partition, region: region, account: account, resource: parsed)
    }

    private static func checkName(_ name: String, kind: String, length: ClosedRange<Int>, text: String) throws(ARNError) {
        let valid = name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
                || b == UInt8(ascii: ".")
        }
        guard valid, length.contains(name.utf8.count) else {
            throw ARNError(
                code: .resource,
                text: text,
                problem: "has \(kind) '\(name)': expected \(length.lowerBound)-\(length.upperBound) characters of A-Z a-z 0-9 _ - ."
            )
        }
    }

    private static func isLowerAlphanumericOrDash(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "-")
    }
}
