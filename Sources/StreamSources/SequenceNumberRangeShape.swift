/// The `SequenceNumberRange` of a shard, as DynamoDB Streams `DescribeStream` and Kinesis `ListShards` write it.
struct SequenceNumberRangeShape: Codable {
    var StartingSequenceNumber: String?
    var EndingSequenceNumber: String?
}
