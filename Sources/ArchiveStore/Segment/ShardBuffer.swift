import StreamModel

/// One shard's records on their way into the next block, plus the shard's dedupe state.
final class ShardBuffer {
    let info: ShardInfo
    /// Highest sequence number accepted so far (committed or pending), as digits.
    var highWater: [UInt8]
    /// The checkpoint the catalog holds (``highWater`` as of the last commit).
    var committedHighWater: [UInt8]
    /// Event-id shards: the keys of the records the shard holds or has accepted, by hour of event time, loaded
    /// from the catalog as needed (``EventIDBuckets``).
    var eventIDs: EventIDBuckets?

    // The open block.
    var records: [UInt8] = []
    var recordEnds: [Int] = []
    /// Per record: where its sequence number is in `records`, and its event time.
    var recordInfo: [(seqStart: Int, seqEnd: Int, time: Int64)] = []
    /// Event-id shards: the ``EventIDKey`` of each record of the open block, 16 bytes each.
    var eventIDKeys: [UInt8] = []
    var format: RecordFormat = .native
    var firstSeq: [UInt8] = []
    var lastSeq: [UInt8] = []
    var minTime = Int64.max
    var maxTime = Int64.min
    /// The last archived block read to confirm a duplicate: its first and last sequence numbers and the sorted
    /// sequence numbers it holds, as digits (re-ingesting a file checks each record without allocating).
    var checkedBlock: (first: [UInt8], last: [UInt8], sequences: [[UInt8]])?

    init(info: ShardInfo) {
        self.info = info
        self.highWater = Array((info.checkpoint?.text ?? "").utf8)
        self.committedHighWater = highWater
        records.reserveCapacity(1 << 20)
    }

    var count: Int { recordEnds.count }
    var isEmpty: Bool { recordEnds.isEmpty }

    /// Adds a record (one line, no line breaks) whose sequence number is at `sequence` within it.
    func add(_ record: UnsafeBufferPointer<UInt8>, sequence: Range<Int>, eventTime: Int64, eventIDKey: EventIDKey?) {
        let start = records.count
        records.append(contentsOf: record)
        records.append(0x0A)
        recordEnds.append(records.count)
        recordInfo.append((start + sequence.lowerBound, start + sequence.upperBound, eventTime))
        eventIDKey?.append(to: &eventIDKeys)
        let seq = UnsafeBufferPointer(rebasing: record[sequence])
        if firstSeq.isEmpty || SequenceNumber.compareDigits(seq, firstSeq) < 0 { replace(&firstSeq, with: seq) }
        if lastSeq.isEmpty || SequenceNumber.compareDigits(seq, lastSeq) > 0 { replace(&lastSeq, with: seq) }
        if eventTime < minTime { minTime = eventTime }
        if eventTime > maxTime { maxTime = eventTime }
    }

    /// Whether the open block holds a record with sequence number `seq` (ordered shards: the block is sorted).
    func holdsSequence(_ seq: UnsafeBufferPointer<UInt8>) -> Bool {
        records.withUnsafeBufferPointer { all in
            var low = 0
            var high = recordInfo.count - 1
            while low <= high {
                let mid = (low + high) / 2
                let info = recordInfo[mid]
                let order = SequenceNumber.compareDigits(UnsafeBufferPointer(rebasing: all[info.seqStart..<info.seqEnd]), seq)
                if order == 0 { return true }
                if order < 0 { low = mid + 1 } else { high = mid - 1 }
            }
            return false
        }
    }

    /// Whether the sorted digit strings `sorted` hold `seq` (binary search, numeric order).
    static func sortedDigits(_ sorted: [[UInt8]], contain seq: UnsafeBufferPointer<UInt8>) -> Bool {
        var low = 0
        var high = sorted.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let order = SequenceNumber.compareDigits(sorted[mid], seq)
            if order == 0 { return true }
            if order < 0 { low = mid + 1 } else { high = mid - 1 }
        }
        return false
    }

    func reset() {
        records.removeAll(keepingCapacity: true)
        recordEnds.removeAll(keepingCapacity: true)
        recordInfo.removeAll(keepingCapacity: true)
        eventIDKeys.removeAll(keepingCapacity: true)
        firstSeq.removeAll(keepingCapacity: true)
        lastSeq.removeAll(keepingCapacity: true)
        minTime = .max
        maxTime = .min
    }

    private func replace(_ target: inout [UInt8], with bytes: UnsafeBufferPointer<UInt8>) {
        target.removeAll(keepingCapacity: true)
        target.append(contentsOf: bytes)
    }
}
