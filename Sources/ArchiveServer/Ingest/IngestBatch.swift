import ArchiveStore
import StreamModel

/// A Lambda event batch taken apart and checked before anything is stored: every record compact, with the
/// facts the writer needs. A batch with one bad record is refused whole, so a retry after fixing it is clean.
struct IngestBatch: Sendable {
    struct Record: Sendable {
        var line: [UInt8]
        var sequence: Range<Int>
        var eventID: [UInt8]
        var eventTimeMillis: Int64
        var format: RecordFormat
    }

    /// The batch's shape.
    enum Kind: String, Sendable {
        case dynamoDB = "Lambda DynamoDB"
        case kinesis = "Lambda Kinesis"
    }

    var kind: Kind
    var records: [Record]

    /// Parses a Lambda DynamoDB event (`{"Records":[…]}` of stream records) or a Lambda Kinesis event
    /// (`{"Records":[{"kinesis":{…}}]}` whose data are Kinesis Data Streams for DynamoDB payloads).
    /// - Throws: ``IngestError`` (bad request) naming the record (`Records[3]`) and the field.
    init(body: [UInt8]) throws(IngestError) {
        let found: [(Range<Int>, RecordLocation)]
        do throws(ShapeError) {
            found = try RecordSplitter.split(body)
        } catch {
            throw IngestError.badRequest("The body is not a Lambda event batch (\(error)). Send a JSON object {\"Records\":[...]}.")
        }
        guard let first = found.first else {
            throw IngestError.badRequest("The body holds no records. Send a Lambda event: {\"Records\":[...]}.")
        }
        kind = Self.looksLikeKinesis(body[first.0]) ? .kinesis : .dynamoDB
        records = []
        records.reserveCapacity(found.count)
        var compacted: [UInt8] = []
        var converter = RecordConverter(from: .lambdaKinesis, to: .kinesisRecord)
        for (range, location) in found {
            compacted.removeAll(keepingCapacity: true)
            body[range].withUnsafeBufferPointer { JSONCompactor.compact($0, into: &compacted) }
            do throws(ShapeError) {
                switch kind {
                case .dynamoDB:
                    let facts = try compacted.withUnsafeBufferPointer { (bytes) throws(ShapeError) in
                        var cursor = JSONCursor(UnsafeRawBufferPointer(bytes))
                        let facts = try ChangeRecordScanner.scanNative(&cursor)
                        guard cursor.atEnd() else { throw ShapeError(expectation: "unexpected text after the record", offset: cursor.offset) }
                        return facts
                    }
                    records.append(
                        Record(
                            line: compacted,
                            sequence: facts.sequenceNumber,
                            eventID: Array(compacted[facts.eventID]),
                            eventTimeMillis: facts.eventTimeMillis,
                            format: facts.hasEventSourceARN ? .lambdaDynamoDB : .native
                        )
                    )
                case .kinesis:
                    var item: [UInt8] = []
                    try compacted.withUnsafeBufferPointer { (bytes) throws(ShapeError) in try converter.convert(bytes, into: &item) }
                    let facts = try item.withUnsafeBufferPointer { (bytes) throws(ShapeError) in try KinesisRecordScanner.scan(bytes) }
                    records.append(
                        Record(
                            line: item,
                            sequence: facts.sequenceNumber,
                            eventID: facts.eventID,
                            eventTimeMillis: facts.eventTimeMillis,
                            format: .kinesisRecord
                        )
                    )
                }
            } catch {
                throw IngestError.badRequest(
                    "Record \(location.ordinal + 1) of the \(kind.rawValue) batch (\(location.description)): \(error.inside(location.path)). "
                        + "Nothing of this batch was stored; fix the record and send the batch again."
                )
            }
        }
    }

    /// Whether a record is a Lambda Kinesis one (it has `"kinesis"` and `"aws:kinesis"`).
    private static func looksLikeKinesis(_ record: ArraySlice<UInt8>) -> Bool {
        let needle = Array(#""aws:kinesis""#.utf8)
        guard record.count >= needle.count else { return false }
        var index = record.startIndex
        while index + needle.count <= record.endIndex {
            if record[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
