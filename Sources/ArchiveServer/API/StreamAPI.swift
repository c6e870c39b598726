/// The two AWS wire protocols the archive answers (both AWS JSON, told apart by `X-Amz-Target`).
public enum StreamAPI: String, Sendable, CaseIterable {
    /// DynamoDB Streams: JSON 1.0, `DynamoDBStreams_20120810.<Operation>`.
    case dynamoDBStreams = "dynamodbstreams"
    /// Kinesis Data Streams: JSON 1.1, `Kinesis_20131202.<Operation>`.
    case kinesis

    /// The `X-Amz-Target` prefix before the dot.
    public var targetPrefix: String {
        switch self {
        case .dynamoDBStreams: "DynamoDBStreams_20120810"
        case .kinesis: "Kinesis_20131202"
        }
    }

    /// The content type of answers (and of requests, though any is accepted).
    public var contentType: String {
        switch self {
        case .dynamoDBStreams: "application/x-amz-json-1.0"
        case .kinesis: "application/x-amz-json-1.1"
        }
    }

    /// How long a shard iterator stays valid, as on AWS: 15 minutes for DynamoDB Streams, 5 for Kinesis.
    public var iteratorLifetimeMillis: Int64 {
        switch self {
        case .dynamoDBStreams: 15 * 60 * 1000
        case .kinesis: 5 * 60 * 1000
        }
    }

    /// Splits an `X-Amz-Target` header into the API and the operation name.
    public static func parse(target: String) -> (api: StreamAPI, operation: Substring)? {
        guard let dot = target.firstIndex(of: ".") else { return nil }
        let prefix = target[..<dot]
        guard let api = allCases.first(where: { $0.targetPrefix == prefix }) else { return nil }
        return (api, target[target.index(after: dot)...])
    }
}
