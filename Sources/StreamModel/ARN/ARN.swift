/// An Amazon Resource Name of the three kinds StreamVault meets, parsed and built in one place:
///
/// - DynamoDB table: `arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME`
/// - DynamoDB stream: `arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL`
/// - Kinesis stream: `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME`
///
/// ```swift
/// let arn = try ARN("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000")
/// arn.tableName   // "Orders"
/// arn.streamName  // "Orders": the name a stream of this table gets in the archive
/// ARN.kinesisStream(name: "orders", region: "us-east-1", account: "123456789012").description
/// ```
///
/// Hot paths (conversion reads `eventSourceARN` of every record) use ``fields(_:)`` and
/// ``tableName(_:_:)``, which find the same parts as byte ranges without allocating.
public struct ARN: Sendable, Hashable, CustomStringConvertible {
    /// What the ARN names.
    public enum Resource: Sendable, Hashable {
        /// A DynamoDB table.
        case dynamoDBTable(name: String)
        /// A table's DynamoDB stream; `label` is the stream's creation time label.
        case dynamoDBStream(table: String, label: String)
        /// A Kinesis data stream.
        case kinesisStream(name: String)
    }

    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    public var partition: String
    /// `us-east-1`, `cn-north-1`, ...
    public var region: String
    /// The 12-digit account id.
    public var account: String
    /// What the ARN names.
    public var resource: Resource

    /// Builds an ARN from its parts (not validated; ``init(_:)`` validates text).
    public init(partition: String = "aws", region: String, account: String, resource: Resource) {
        self.partition = partition
        self.region = region
        self.account = account
        self.resource = resource
    }

    /// A DynamoDB table's ARN.
    public static func dynamoDBTable(name: String, region: String, account: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, region: region, account: account, resource: .dynamoDBTable(name: name))
    }

    /// A DynamoDB stream's ARN.
    public static func dynamoDBStream(table: String, label: String, region: String, account: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, region: region, account: account, resource: .dynamoDBStream(table: table, label: label))
    }

    /// A Kinesis data stream's ARN.
    public static func kinesisStream(name: String, region: String, account: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, region: region, account: account, resource: .kinesisStream(name: name))
    }

    /// Whether `text` is meant as an ARN (starts with `arn:`) rather than a name.
    public static func isARN(_ text: String) -> Bool { text.hasPrefix("arn:") }

    /// `dynamodb` or `kinesis`.
    public var service: String {
        switch resource {
        case .dynamoDBTable, .dynamoDBStream: "dynamodb"
        case .kinesisStream: "kinesis"
        }
    }

    /// The DynamoDB table named or streamed; `nil` for a Kinesis stream.
    public var tableName: String? {
        switch resource {
        case .dynamoDBTable(let name), .dynamoDBStream(let name, _): name
        case .kinesisStream: nil
        }
    }

    /// The name the archive gives a stream read from this resource: the table for DynamoDB, the stream for Kinesis.
    public var streamName: String {
        switch resource {
        case .dynamoDBTable(let name), .dynamoDBStream(let name, _), .kinesisStream(let name): name
        }
    }

    /// The ARN text.
    public var description: String {
        let path: String
        switch resource {
        case .dynamoDBTable(let name): path = "table/\(name)"
        case .dynamoDBStream(let table, let label): path = "table/\(table)/stream/\(label)"
        case .kinesisStream(let name): path = "stream/\(name)"
        }
        return "arn:\(partition):\(service):\(region):\(account):\(path)"
    }
}
