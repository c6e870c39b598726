import StreamModel

/// What the event source mapping needs from an archived record beyond the pipeline's facts: the sequence number
/// (a byte range), the event time, and a hash of the partition key (DynamoDB `Keys`, Kinesis `PartitionKey`)
/// that picks the record's lane under ParallelizationFactor. One pass, no allocation.
struct HandlerRecordFacts {
    var sequence: Range<Int>
    var timeMillis: Int64
    var partitionHash: UInt64

    @inline(__always)
    static func locate(_ record: UnsafeBufferPointer<UInt8>, _ format: RecordFormat) -> HandlerRecordFacts? {
        switch format {
        case .native, .lambdaDynamoDB: locateChange(record)
        case .kinesisRecord: locateKinesis(record)
        default: nil
        }
    }

    private static func locateChange(_ record: UnsafeBufferPointer<UInt8>) -> HandlerRecordFacts? {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        guard (try? c.openObject()) == true else { return nil }
        repeat {
            guard let key = try? c.readKey() else { return nil }
            guard c.equals(key, "dynamodb") else {
                c.skipValidValue()
                continue
            }
            guard (try? c.openObject()) == true else { return nil }
            var sequence: Range<Int>?
            var time: Int64?
            var keys: Range<Int>?
            repeat {
                guard let inner = try? c.readKey() else { return nil }
                if c.equals(inner, "SequenceNumber"), let token = try? c.readString() {
                    sequence = token.content
                } else if c.equals(inner, "ApproximateCreationDateTime"), let r = try? c.readNumber() {
                    time = EventTime.millis(fromSeconds: c.bytes(r))
                } else if c.equals(inner, "Keys") {
                    c.skipWhitespace()
                    let start = c.offset
                    c.skipValidValue()
                    keys = start..<c.offset
                } else {
                    c.skipValidValue()
                }
                if let sequence, let time, let keys {
                    return HandlerRecordFacts(sequence: sequence, timeMillis: time, partitionHash: fnv1a(c.bytes(keys)))
                }
            } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            return nil
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return nil
    }

    private static func locateKinesis(_ record: UnsafeBufferPointer<UInt8>) -> HandlerRecordFacts? {
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        guard let item = try? KinesisRecordScanner.scanItem(&c), let change = try? KinesisRecordScanner.change(in: item) else { return nil }
        let key = item.partitionKey.map { UnsafeBufferPointer(rebasing: record[$0]) } ?? UnsafeBufferPointer(rebasing: record[0..<0])
        return HandlerRecordFacts(sequence: item.sequenceNumber, timeMillis: change.eventTimeMillis, partitionHash: fnv1a(key))
    }

    /// FNV-1a, finished with MurmurHash3's mixer (FNV's low bits, which pick the lane, follow the input's low bits):
    /// stable across runs and platforms, so a resumed replay puts a key in the same lane.
    @inline(__always)
    static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
