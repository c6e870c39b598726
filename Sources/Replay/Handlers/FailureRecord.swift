import Foundation
import StreamModel

/// One line of the on-failure file: the invocation record AWS sends to an OnFailure destination of a
/// DynamoDB or Kinesis event source mapping (requestContext, responseContext, version, timestamp, and
/// DDBStreamBatchInfo or KinesisBatchInfo). Like AWS's, it points at the records rather than carrying them:
/// `streamvault replay --shard ID --from-seq START --to-seq END` brings them back from the archive.
struct FailureRecord {
    /// Why the records were given up: AWS's `requestContext.condition` values.
    enum Condition: String {
        case retryAttemptsExhausted = "RetryAttemptsExhausted"
        case recordAgeExceeded = "RecordAgeExceeded"
    }

    var condition: Condition
    var functionARN: String
    var invokeCount: Int
    /// The last outcome (a function error, or a response whose batchItemFailures named records).
    var lastOutcome: HandlerOutcome?
    var eventFormat: MappingSettings.EventFormat
    var streamARN: String
    var shardID: String
    var firstSequence: String
    var lastSequence: String
    var firstTimeMillis: Int64
    var lastTimeMillis: Int64
    var batchSize: Int
    var nowMillis: Int64

    /// The record as one compact JSON line (a newline at the end).
    func line() -> String {
        var functionError = ""
        if let lastOutcome, lastOutcome.isFunctionError {
            functionError = #","functionError":"Unhandled""#
        }
        let info = eventFormat == .lambdaKinesis ? "KinesisBatchInfo" : "DDBStreamBatchInfo"
        return #"{"requestContext":{"requestId":"# + Self.quoted(UUID().uuidString.lowercased())
            + #","functionArn":"# + Self.quoted(functionARN)
            + #","condition":"# + Self.quoted(condition.rawValue)
            + #","approximateInvokeCount":"# + String(invokeCount)
            + #"},"responseContext":{"statusCode":200,"executedVersion":"$LATEST""# + functionError
            + #"},"version":"1.0","timestamp":"# + Self.quoted(ISO8601.format(millis: nowMillis))
            + #",""# + info + #"":{"shardId":"# + Self.quoted(shardID)
            + #","startSequenceNumber":"# + Self.quoted(firstSequence)
            + #","endSequenceNumber":"# + Self.quoted(lastSequence)
            + #","approximateArrivalOfFirstRecord":"# + Self.quoted(ISO8601.format(millis: firstTimeMillis))
            + #","approximateArrivalOfLastRecord":"# + Self.quoted(ISO8601.format(millis: lastTimeMillis))
            + #","batchSize":"# + String(batchSize)
            + #","streamArn":"# + Self.quoted(streamARN) + "}}\n"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String { JSONString.quoted(text) }
}
