import Dispatch
import StreamModel

/// The records of one input buffer, gathered so they can be validated on every core at once; the ingestor
/// then takes their outcomes in input order (appends, rejections and errors happen exactly as one by one).
///
/// Validation is a large part of ingest's work (every attribute value is checked), and it needs nothing
/// but the record's bytes, so pieces of the batch run in parallel while blocks compress beside them.
/// The bytes stay in the reader's buffer (``RecordInputReader/forEachRecord(_:beforeReuse:)``): nothing is copied.
final class RecordBatch {
    /// One gathered record: where its bytes are and where it was in the input.
    struct Entry {
        var bytes: UnsafeBufferPointer<UInt8>
        var location: RecordLocation
    }

    /// What validation found out about one record.
    enum Outcome {
        /// A valid one-line record and its facts.
        case valid(ChangeRecordFacts)
        /// Not a valid record: the reason, relative to the record's root.
        case invalid(ShapeError)
        /// Spread over several lines (pretty-printed): compacted and checked by the ingestor itself.
        case multiline
        /// Only blanks.
        case blank
    }

    /// The batch's storage as the parallel pieces see it.
    ///
    /// `@unchecked`: each piece reads the entries and writes the outcome slots of its own range only, and
    /// `concurrentPerform` returns after every piece has finished, so no slot is shared.
    private struct Slots: @unchecked Sendable {
        let entries: UnsafeBufferPointer<Entry>
        let outcomes: UnsafeMutableBufferPointer<Outcome>
    }

    private(set) var entries: [Entry] = []
    private(set) var outcomes: [Outcome] = []

    /// Below this many records a batch is checked on the calling thread (handing out pieces costs more).
    static let parallelThreshold = 64
    /// Pieces per batch: more than the cores, so a piece held up by a compression job does not hold up the rest.
    static let pieces = 8

    init() {
        entries.reserveCapacity(8192)
        outcomes.reserveCapacity(8192)
    }

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    func add(_ bytes: UnsafeBufferPointer<UInt8>, location: RecordLocation) {
        entries.append(Entry(bytes: bytes, location: location))
    }

    func removeAll() {
        entries.removeAll(keepingCapacity: true)
        outcomes.removeAll(keepingCapacity: true)
    }

    /// The entries from `start` holding about `bytes` of records (at least one entry, if any is left).
    func slice(from start: Int, bytes: Int) -> Range<Int> {
        var end = start
        var total = 0
        while end < entries.count && (end == start || total < bytes) {
            total += entries[end].bytes.count
            end += 1
        }
        return start..<end
    }

    /// Fills ``outcomes`` for the entries in `range` (earlier slots must be filled already), in parallel pieces
    /// when there are enough of them.
    func validate(_ range: Range<Int>) {
        precondition(range.lowerBound == outcomes.count, "RecordBatch.validate: ranges are validated in order")
        let n = range.count
        outcomes.append(contentsOf: repeatElement(.blank, count: n))
        entries.withUnsafeBufferPointer { entries in
            outcomes.withUnsafeMutableBufferPointer { outcomes in
                let entries = UnsafeBufferPointer(rebasing: entries[range])
                let outcomes = UnsafeMutableBufferPointer(rebasing: outcomes[range])
                guard n >= Self.parallelThreshold else {
                    for i in 0..<n { outcomes[i] = Self.check(entries[i].bytes) }
                    return
                }
                let pieces = Self.pieces
                let slots = Slots(entries: entries, outcomes: outcomes)
                DispatchQueue.concurrentPerform(iterations: pieces) { piece in
                    for i in (n * piece / pieces)..<(n * (piece + 1) / pieces) { slots.outcomes[i] = Self.check(slots.entries[i].bytes) }
                }
            }
        }
    }

    /// Checks one record: the same checks as ``Ingestor``'s one-by-one path.
    static func check(_ record: UnsafeBufferPointer<UInt8>) -> Outcome {
        if let facts = ChangeRecordScanner.scanSingleLine(record) { return .valid(facts) }
        if JSONCompactor.containsLineBreak(record) { return .multiline }
        if record.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        do throws(ShapeError) {
            let facts = try ChangeRecordScanner.scanNative(&c)
            guard c.atEnd() else { throw ShapeError(expectation: "unexpected text after the record", offset: c.offset) }
            return .valid(facts)
        } catch {
            return .invalid(error)
        }
    }
}
