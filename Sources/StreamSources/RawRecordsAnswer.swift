import AWSCore
import Foundation

/// A GetRecords answer split into its `Records` elements (raw bytes) and its other top-level members.
struct RawRecordsAnswer {
    let slicer: JSONSlicer
    let members: [String: Range<Int>]
    let records: [Data]
    let operation: String

    init(_ answer: [UInt8], operation: String) throws {
        self.operation = operation
        slicer = JSONSlicer(answer)
        do {
            members = try slicer.topLevelMembers()
            if let range = members["Records"], answer[range.lowerBound] != UInt8(ascii: "n") {
                records = try slicer.arrayElements(in: range).map { Data(answer[$0]) }
            } else {
                records = []
            }
        } catch {
            throw AWSError(
                code: .invalidResponse,
                message: "The \(operation) answer is not valid JSON (\(error.reason) at byte \(error.offset)). Check the endpoint URL."
            )
        }
    }

    /// Decodes one top-level member with `JSONDecoder`; `nil` when absent or `null`.
    func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
        guard let range = members[key] else { return nil }
        let bytes = slicer.bytes[range]
        if bytes.elementsEqual("null".utf8) { return nil }
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw AWSError(code: .invalidResponse, message: "The \(operation) answer has a malformed \(key). Check the endpoint URL.")
        }
    }

    /// A top-level string member; `nil` when absent or `null`.
    func string(_ key: String) throws -> String? { try decode(String.self, key) }
}
