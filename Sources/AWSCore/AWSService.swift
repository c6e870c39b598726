/// An AWS service spoken with the JSON protocol: how to sign for it, address it and name its operations.
///
/// Closed-looking but extensible: use the static members, or create one for another JSON-protocol service.
public struct AWSService: Sendable, Hashable {
    /// The SigV4 signing name, e.g. `dynamodb`.
    public var signingName: String
    /// The first label of the AWS endpoint host, e.g. `streams.dynamodb`.
    public var endpointPrefix: String
    /// The `X-Amz-Target` prefix, e.g. `DynamoDBStreams_20120810`.
    public var targetPrefix: String
    /// The JSON protocol version: `1.0` or `1.1` (sets `Content-Type: application/x-amz-json-<version>`).
    public var jsonVersion: String
    /// The suffix of the `AWS_ENDPOINT_URL_<SERVICE>` variable, e.g. `DYNAMODB_STREAMS`.
    public var environmentKey: String

    /// Describes a JSON-protocol service.
    /// - Parameters:
    ///   - signingName: The SigV4 signing name.
    ///   - endpointPrefix: The first label(s) of the AWS endpoint host.
    ///   - targetPrefix: The `X-Amz-Target` prefix.
    ///   - jsonVersion: `1.0` or `1.1`.
    ///   - environmentKey: The suffix of its `AWS_ENDPOINT_URL_<SERVICE>` variable.
    public init(signingName: String, endpointPrefix: String, targetPrefix: String, jsonVersion: String, environmentKey: String) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.targetPrefix = targetPrefix
        self.jsonVersion = jsonVersion
        self.environmentKey = environmentKey
    }

    /// DynamoDB Streams: signs as `dynamodb`, host `streams.dynamodb.<region>.amazonaws.com`, JSON 1.0.
    public static let dynamoDBStreams = AWSService(
        signingName: "dynamodb",
        endpointPrefix: "streams.dynamodb",
        targetPrefix: "DynamoDBStreams_20120810",
        jsonVersion: "1.0",
        environmentKey: "DYNAMODB_STREAMS"
    )
    /// DynamoDB (only used to find a table's stream): JSON 1.0.
    public static let dynamoDB = AWSService(
        signingName: "dynamodb",
        endpointPrefix: "dynamodb",
        targetPrefix: "DynamoDB_20120810",
        jsonVersion: "1.0",
        environmentKey: "DYNAMODB"
    )
    /// Kinesis Data Streams: JSON 1.1.
    public static let kinesis = AWSService(
        signingName: "kinesis",
        endpointPrefix: "kinesis",
        targetPrefix: "Kinesis_20131202",
        jsonVersion: "1.1",
        environmentKey: "KINESIS"
    )

    /// S3, for the object-store tier (REST, not JSON: only the signing name, host and endpoint variable apply; see ``S3Client``).
    public static let s3 = AWSService(signingName: "s3", endpointPrefix: "s3", targetPrefix: "", jsonVersion: "", environmentKey: "S3")

    /// The services StreamVault knows, for reading their endpoint variables.
    static let all: [AWSService] = [.dynamoDBStreams, .dynamoDB, .kinesis, .s3]

    /// The `Content-Type` of requests.
    public var contentType: String { "application/x-amz-json-\(jsonVersion)" }
}
