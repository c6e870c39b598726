import ArchiveStore
import StreamModel

/// How the archive's streams and shards are named on the wire.
///
/// A stream archived from AWS keeps its ARN's region and account; one ingested from files gets a stand-in
/// ARN (account `000000000000`, the catalog's region or `us-east-1`, the stream's creation time as its label).
/// The archive's per-stream default shard (`default`) is shown as ``defaultShardAlias``, because the SDKs
/// check DynamoDB Streams shard ids for 28 to 65 characters.
enum StreamNames {
    static let account = "000000000000"
    static let defaultRegion = "us-east-1"
    /// The wire name of ``ShardInfo/defaultShardID``.
    static let defaultShardAlias = "shardId-00000000000000000000-default"

    /// The source ARN, when the catalog has one that parses.
    private static func sourceARN(_ stream: StreamInfo) -> ARN? {
        stream.arn.flatMap { try? ARN($0) }
    }

    static func region(_ stream: StreamInfo) -> String {
        stream.region ?? sourceARN(stream)?.region ?? defaultRegion
    }

    /// The table the stream belongs to.
    static func tableName(_ stream: StreamInfo) -> String {
        stream.tableName ?? sourceARN(stream)?.tableName ?? stream.name
    }

    /// The DynamoDB stream label (`2026-01-01T00:00:00.000`).
    static func streamLabel(_ stream: StreamInfo) -> String {
        if let arn = sourceARN(stream), case .dynamoDBStream(_, let label) = arn.resource { return label }
        var text = ISO8601.format(millis: stream.createdAt)
        text.removeLast()  // the Z
        if !text.contains(".") { text += ".000" }
        return text
    }

    /// The stream's DynamoDB Streams ARN.
    static func dynamoDBStreamARN(_ stream: StreamInfo) -> String {
        if let arn = sourceARN(stream), case .dynamoDBStream = arn.resource { return arn.description }
        let source = sourceARN(stream)
        return ARN.dynamoDBStream(
            table: tableName(stream),
            label: streamLabel(stream),
            region: region(stream),
            account: source?.account ?? account,
            partition: source?.partition ?? "aws"
        ).description
    }

    /// The stream's Kinesis ARN (its name is the archive's stream name).
    static func kinesisStreamARN(_ stream: StreamInfo) -> String {
        let source = sourceARN(stream)
        return ARN.kinesisStream(
            name: stream.name,
            region: region(stream),
            account: source?.account ?? account,
            partition: source?.partition ?? "aws"
        ).description
    }

    /// The archive stream a Kinesis ARN names, by the stream name in it.
    static func streamName(kinesisARN: String) -> String? {
        guard let arn = try? ARN(kinesisARN), case .kinesisStream(let name) = arn.resource else { return nil }
        return name
    }

    static func wireShardID(_ shardID: String) -> String {
        shardID == ShardInfo.defaultShardID ? defaultShardAlias : shardID
    }

    static func archiveShardID(_ wire: String) -> String {
        wire == defaultShardAlias ? ShardInfo.defaultShardID : wire
    }
}
