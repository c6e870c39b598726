import AWSCore
import Foundation

extension AWSJSONClient {
    /// The GetRecords request body DynamoDB Streams and Kinesis share: the iterator and a `Limit` clamped to
    /// `1...maxLimit` (1000 for DynamoDB Streams, 10000 for Kinesis).
    static func getRecordsBody(shardIterator: String, limit: Int, maxLimit: Int) throws -> Data {
        struct Input: Encodable {
            var ShardIterator: String
            var Limit: Int
        }
        do {
            return try JSONEncoder().encode(Input(ShardIterator: shardIterator, Limit: min(max(limit, 1), maxLimit)))
        } catch {
            throw AWSError(code: .validation, message: "Could not encode the GetRecords request: \(error).")
        }
    }
}
