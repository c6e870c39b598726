#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The records of one batch of one shard lane, owned (they cross to the lane's task), and the event made of
/// any contiguous run of them.
struct EventBatch: Sendable {
    struct Record: Sendable {
        var bytes: Range<Int>
        var sequence: Range<Int>
        var timeMillis: Int64
    }

    var shard: Int
    var shardID: String
    var lane: Int
    var bytes: [UInt8] = []
    var records: [Record] = []
    /// When a paced replay opened the batch, in record time (for MaximumBatchingWindowInSeconds).
    var openedAtRecordTime: Int64 = 0

    init(shard: Int, shardID: String, lane: Int) {
        self.shard = shard
        self.shardID = shardID
        self.lane = lane
    }

    var isEmpty: Bool { records.isEmpty }
    var count: Int { records.count }

    /// Copies one page entry in.
    mutating func append(_ entry: RecordPage.Entry, from page: [UInt8]) {
        let sequenceStart = bytes.count
        bytes.append(contentsOf: page[entry.sequence])
        let start = bytes.count
        bytes.append(contentsOf: page[entry.bytes])
        records.append(Record(bytes: start..<bytes.count, sequence: sequenceStart..<start, timeMillis: entry.timeMillis))
    }

    /// `{"Records":[r1,r2,...]}` of the records in `range`: the Lambda event, byte for byte.
    func event(_ range: Range<Int>) -> [UInt8] {
        var size = 14
        for i in range { size += records[i].bytes.count + 1 }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.append(contentsOf: #"{"Records":["#.utf8)
        for i in range {
            if i > range.lowerBound { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: bytes[records[i].bytes])
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Record `index`'s sequence number as text (for failure records and checkpoints, not per record).
    func sequenceText(_ index: Int) -> String {
        String(decoding: bytes[records[index].sequence], as: UTF8.self)
    }

    /// The index in `range` of the record whose sequence number is `digits`, or `nil`.
    func index(ofSequence digits: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
        bytes.withUnsafeBufferPointer { all in
            for i in range {
                let sequence = records[i].sequence
                guard sequence.count == digits.count else { continue }
                if memcmp(all.baseAddress! + sequence.lowerBound, digits.baseAddress!, digits.count) == 0 { return i }
            }
            return nil
        }
    }
}
