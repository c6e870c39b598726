import AWSCore
import Foundation
import StreamModel

/// A GetRecords answer (DynamoDB Streams or Kinesis) scanned once with StreamModel's `JSONCursor`: the byte range
/// of every record plus what the archive needs to know about it (`Facts`), and the answer's other members.
///
/// Each element of `Records` is scanned by the caller's `scanRecord` on a cursor that starts at the element
/// (offsets relative to the record), which both validates it and returns its facts; the element's end is
/// where that scan stops. Nothing is decoded with `JSONDecoder` per record.
struct GetRecordsAnswer<Facts> {
    /// One record: its one-line bytes in ``bytes`` and its facts (ranges relative to the record's start).
    struct Record {
        var range: Range<Int>
        var facts: Facts
    }

    /// The answer's bytes (plus compacted copies of multi-line records).
    let bytes: GetRecordsBytes
    /// The records, in answer order.
    let records: [Record]
    /// `NextShardIterator`; `nil` when absent or `null` (a closed shard read to its end).
    let nextShardIterator: String?
    /// `MillisBehindLatest` (Kinesis).
    let millisBehindLatest: Int64?
    /// The raw JSON of `ChildShards` (Kinesis), for the rare answer that carries them.
    let childShards: [UInt8]?

    /// Scans an answer.
    /// - Parameters:
    ///   - answer: The body of the HTTP 200 answer.
    ///   - operation: The operation's name for messages, e.g. `Kinesis GetRecords`.
    ///   - recordKind: What a record must be, for messages, e.g. `a DynamoDB Streams change record`.
    ///   - scanRecord: Scans one element of `Records` at the cursor, consuming it, and returns its facts.
    /// - Throws: ``AWSError`` with ``AWSError/Code/invalidResponse`` naming the record and the JSON path.
    init(
        _ answer: [UInt8],
        operation: String,
        recordKind: String,
        scanRecord: (inout JSONCursor) throws(ShapeError) -> Facts
    ) throws(AWSError) {
        var records: [Record] = []
        var compacted: [UInt8] = []
        var next: String?
        var behind: Int64?
        var children: [UInt8]?
        var index = 0
        let result: Result<Void, ShapeError> = answer.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            do throws(ShapeError) {
                guard c.peek() == UInt8(ascii: "{") else { throw c.fail("expected a JSON object") }
                if try c.openObject() {
                    repeat {
                        let key = try c.readKey()
                        if c.equals(key, "Records") {
                            if c.peek() == UInt8(ascii: "n") {
                                try c.readNull()
                            } else if try c.openArray() {
                                repeat {
                                    c.skipWhitespace()
                                    let start = c.offset
                                    var record = JSONCursor(UnsafeRawBufferPointer(rebasing: raw[start...]))
                                    var facts: Facts
                                    do throws(ShapeError) { facts = try scanRecord(&record) } catch {
                                        throw error.inside([.key("Records"), .index(index)])
                                    }
                                    let end = start + record.offset
                                    c.offset = end
                                    let line = UnsafeBufferPointer(rebasing: raw.assumingMemoryBound(to: UInt8.self)[start..<end])
                                    if JSONCompactor.containsLineBreak(line) {
                                        // Archive records are one line: keep a compacted copy and read its facts there.
                                        let copyStart = compacted.count
                                        JSONCompactor.compact(line, into: &compacted)
                                        facts = try compacted.withUnsafeBytes { copy -> Result<Facts, ShapeError> in
                                            var cursor = JSONCursor(UnsafeRawBufferPointer(rebasing: copy[copyStart...]))
                                            do throws(ShapeError) { return .success(try scanRecord(&cursor)) } catch { return .failure(error) }
                                        }.get()
                                        let offset = answer.count + copyStart
                                        records.append(Record(range: offset..<(answer.count + compacted.count), facts: facts))
                                    } else {
                                        records.append(Record(range: start..<end, facts: facts))
                                    }
                                    index += 1
                                } while try c.nextMember(closing: UInt8(ascii: "]"))
                            }
                        } else if c.equals(key, "NextShardIterator") {
                            next = try Self.optionalString(&c)
                        } else if c.equals(key, "MillisBehindLatest") {
                            if c.peek() == UInt8(ascii: "n") {
                                try c.readNull()
                            } else {
                                let number = try c.readNumber()
                                guard let value = Int64(String(decoding: c.bytes(number), as: UTF8.self)) else {
                                    throw ShapeError(
                                        path: [.key("MillisBehindLatest")],
                                        expectation: "expected an integer",
                                        offset: number.lowerBound
                                    )
                                }
                                behind = value
                            }
                        } else if c.equals(key, "ChildShards") {
                            c.skipWhitespace()
                            let start = c.offset
                            try c.skipValue(depth: 1)
                            children = Array(c.bytes(start..<c.offset))
                        } else {
                            try c.skipValue(depth: 1)
                        }
                    } while try c.nextMember(closing: UInt8(ascii: "}"))
                }
                guard c.atEnd() else { throw c.fail("expected the end of the answer") }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            let inRecord = error.path.count >= 2 && error.path[0] == .key("Records")
            let what =
                inRecord
                ? "Record \(index) of the \(operation) answer is not \(recordKind): \(error)."
                : "The \(operation) answer is not valid JSON (\(error) at byte \(error.offset))."
            throw AWSError(
                code: .invalidResponse,
                message: what + " Nothing of this page was archived. Check that the endpoint URL points at the right service."
            )
        }
        bytes = GetRecordsBytes(compacted.isEmpty ? answer : answer + compacted)
        self.records = records
        nextShardIterator = next
        millisBehindLatest = behind
        childShards = children
    }

    /// A string or `null`.
    private static func optionalString(_ c: inout JSONCursor) throws(ShapeError) -> String? {
        if c.peek() == UInt8(ascii: "n") {
            try c.readNull()
            return nil
        }
        guard c.peek() == UInt8(ascii: "\"") else { throw c.fail("expected a string") }
        let token = try c.readString()
        return String(decoding: token.hasEscapes ? c.unescaped(token.content) : Array(c.bytes(token.content)), as: UTF8.self)
    }
}
