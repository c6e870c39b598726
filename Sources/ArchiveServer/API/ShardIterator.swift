public import StreamModel

/// What a shard iterator says: which shard of which stream, where in it, for which API, and when it was issued.
///
/// On the wire it is opaque: ``IteratorSigner`` packs it into bytes, appends an HMAC-SHA256 over them and
/// base64-encodes the whole, so a client can neither read nor change it (any change fails the HMAC).
public struct ShardIterator: Sendable, Equatable {
    /// Where in the shard the next GetRecords starts.
    public enum Position: Sendable, Equatable {
        /// The oldest record the archive holds.
        case trimHorizon
        /// The record with this sequence number, or the first one above it.
        case at(SequenceNumber)
        /// The first record above this sequence number.
        case after(SequenceNumber)
    }

    /// The API the iterator was issued by (an iterator works only with the API that issued it).
    public var api: StreamAPI
    /// The catalog's stream row id.
    public var streamID: Int64
    /// The catalog's shard row id.
    public var shardRowID: Int64
    /// Where the next read starts.
    public var position: Position
    /// When it was issued, epoch ms (iterators expire like AWS's: ``StreamAPI/iteratorLifetimeMillis``).
    public var issuedAtMillis: Int64

    /// Creates an iterator.
    public init(api: StreamAPI, streamID: Int64, shardRowID: Int64, position: Position, issuedAtMillis: Int64) {
        self.api = api
        self.streamID = streamID
        self.shardRowID = shardRowID
        self.position = position
        self.issuedAtMillis = issuedAtMillis
    }

    static let version: UInt8 = 1

    /// The unsigned bytes: version, api, issued, stream, shard, position kind, sequence digits.
    var packed: [UInt8] {
        var out: [UInt8] = [Self.version, api == .kinesis ? 1 : 0]
        for value in [issuedAtMillis, streamID, shardRowID] {
            withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
        }
        switch position {
        case .trimHorizon: out.append(0)
        case .at(let sequence):
            out.append(1)
            out.append(contentsOf: sequence.text.utf8)
        case .after(let sequence):
            out.append(2)
            out.append(contentsOf: sequence.text.utf8)
        }
        return out
    }

    /// Reads ``packed`` bytes back; `nil` when they are not an iterator of this version.
    init?(packed bytes: ArraySlice<UInt8>) {
        guard bytes.count >= 27, bytes[bytes.startIndex] == Self.version else { return nil }
        let base = bytes.startIndex
        let apiByte = bytes[base + 1]
        guard apiByte <= 1 else { return nil }
        func int64(at offset: Int) -> Int64 {
            var value: UInt64 = 0
            for byte in bytes[(base + offset)..<(base + offset + 8)] { value = value << 8 | UInt64(byte) }
            return Int64(bitPattern: value)
        }
        api = apiByte == 1 ? .kinesis : .dynamoDBStreams
        issuedAtMillis = int64(at: 2)
        streamID = int64(at: 10)
        shardRowID = int64(at: 18)
        let digits = bytes[(base + 27)...]
        switch bytes[base + 26] {
        case 0:
            guard digits.isEmpty else { return nil }
            position = .trimHorizon
        case 1, 2:
            guard let sequence = SequenceNumber(String(decoding: digits, as: UTF8.self)) else { return nil }
            position = bytes[base + 26] == 1 ? .at(sequence) : .after(sequence)
        default:
            return nil
        }
    }
}
