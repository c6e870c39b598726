public import AWSCore

/// The one DynamoDB call StreamVault needs: `DescribeTable`, to find a table's stream.
public struct DynamoDBClient: Sendable {
    /// A table's stream settings from `DescribeTable`.
    public struct TableStream: Sendable, Hashable {
        /// The table's name.
        public var tableName: String
        /// The table's ARN.
        public var tableARN: String?
        /// The ARN of the table's current stream, if streams are or were enabled.
        public var latestStreamARN: String?
        /// The current stream's label.
        public var latestStreamLabel: String?
        /// Whether the stream is enabled.
        public var streamEnabled: Bool
        /// `KEYS_ONLY`, `NEW_IMAGE`, `OLD_IMAGE` or `NEW_AND_OLD_IMAGES`, when enabled.
        public var streamViewType: String?
    }

    /// The JSON client (service ``AWSService/dynamoDB``).
    public let client: AWSJSONClient

    /// Creates a DynamoDB client.
    /// - Parameter client: A JSON client for ``AWSService/dynamoDB``.
    public init(client: AWSJSONClient) {
        self.client = client
    }

    /// Describes a table's stream settings.
    /// - Parameter tableName: The table's name or ARN.
    /// - Returns: The stream settings.
    /// - Throws: ``AWSError`` (``AWSError/Code/resourceNotFound`` for an unknown table).
    public func describeTableStream(tableName: String) async throws -> TableStream {
        struct Input: Encodable { var TableName: String }
        struct Output: Decodable {
            struct Table: Decodable {
                struct Spec: Decodable {
                    var StreamEnabled: Bool?
                    var StreamViewType: String?
                }
                var TableName: String?
                var TableArn: String?
                var LatestStreamArn: String?
                var LatestStreamLabel: String?
                var StreamSpecification: Spec?
            }
            var Table: Table
        }
        let output: Output = try await client.send(operation: "DescribeTable", input: Input(TableName: tableName))
        let table = output.Table
        return TableStream(
            tableName: table.TableName ?? tableName,
            tableARN: table.TableArn,
            latestStreamARN: table.LatestStreamArn,
            latestStreamLabel: table.LatestStreamLabel,
            streamEnabled: table.StreamSpecification?.StreamEnabled ?? false,
            streamViewType: table.StreamSpecification?.StreamViewType
        )
    }

    /// The ARN of a table's enabled stream.
    /// - Parameter tableName: The table's name or ARN.
    /// - Returns: The `LatestStreamArn`.
    /// - Throws: ``AWSError`` with ``AWSError/Code/streamDisabled`` when the table has no enabled stream.
    public func latestStreamARN(tableName: String) async throws -> String {
        let stream = try await describeTableStream(tableName: tableName)
        guard stream.streamEnabled, let arn = stream.latestStreamARN else {
            throw AWSError(
                code: .streamDisabled,
                message: "Table '\(stream.tableName)' has no enabled stream, so there is nothing to archive. Enable it with "
                    + "`aws dynamodb update-table --table-name \(stream.tableName) --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES`."
            )
        }
        return arn
    }
}
