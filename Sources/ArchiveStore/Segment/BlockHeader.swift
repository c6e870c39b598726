import Foundation
public import StreamModel

/// The metadata in front of every block: a zstd skippable frame that `zstd -dc` passes over.
///
/// Byte layout (docs/FORMAT.md): magic `0x184D2A51` (LE u32), payload length (LE u32), payload = one JSON
/// object (this struct, keys below). The segment's first frame is a ``SegmentHeader`` with magic `0x184D2A50`.
public struct BlockHeader: Codable, Sendable, Equatable {
    /// Layout version of this header.
    public var v: Int = 1
    /// The shard every record of the block came from.
    public var shard: String
    /// Number of records (= lines) in the block.
    public var count: Int
    /// Lowest and highest sequence numbers in the block (for an ordered shard: first and last).
    public var firstSeq: String
    public var lastSeq: String
    /// Earliest and latest event time in the block, epoch milliseconds.
    public var minTime: Int64
    public var maxTime: Int64
    /// The shape of the records (``RecordFormat`` raw value).
    public var format: String
    /// Uncompressed size of the records frame.
    public var rawBytes: Int

    /// `maxTime - minTime`, never trapping: a header read from disk may hold any numbers. Saturates at
    /// `Int64.max`; 0 when the range is empty or inverted.
    public var timeSpanMillis: Int64 {
        guard maxTime > minTime else { return 0 }
        let (span, overflow) = maxTime.subtractingReportingOverflow(minTime)
        return overflow ? .max : span
    }

    /// Checks a header read from disk before its numbers are used: counts and sizes not negative, sequence
    /// numbers valid and ordered, times within ``EventTime/validMillis`` and ordered, a known format.
    /// - Throws: ``ArchiveError`` (`segmentCorrupt`) naming the field, prefixed by `location`.
    public func validate(_ location: String) throws {
        func corrupt(_ field: String, _ expected: String) -> ArchiveError {
            ArchiveError(code: .segmentCorrupt, message: "\(location): block header field '\(field)' \(expected). Run `streamvault verify`.")
        }
        guard count >= 0 else { throw corrupt("count", "is negative (\(count))") }
        guard rawBytes >= 0 else { throw corrupt("rawBytes", "is negative (\(rawBytes))") }
        guard let first = SequenceNumber(firstSeq) else { throw corrupt("firstSeq", "is not a sequence number") }
        guard let last = SequenceNumber(lastSeq) else { throw corrupt("lastSeq", "is not a sequence number") }
        guard first <= last else { throw corrupt("firstSeq", "is above lastSeq") }
        guard EventTime.validMillis.contains(minTime) else { throw corrupt("minTime", "is outside 1970..9999 (\(minTime))") }
        guard EventTime.validMillis.contains(maxTime) else { throw corrupt("maxTime", "is outside 1970..9999 (\(maxTime))") }
        guard minTime <= maxTime else { throw corrupt("minTime", "is after maxTime") }
        guard RecordFormat(rawValue: format) != nil else { throw corrupt("format", "is not a known record format") }
    }

    public init(shard: String, count: Int, firstSeq: String, lastSeq: String, minTime: Int64, maxTime: Int64, format: RecordFormat, rawBytes: Int) {
        self.shard = shard
        self.count = count
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.minTime = minTime
        self.maxTime = maxTime
        self.format = format.rawValue
        self.rawBytes = rawBytes
    }
}

/// The first frame of every segment: which archive, stream and segment the file belongs to.
public struct SegmentHeader: Codable, Sendable, Equatable {
    public var magic: String = "streamvault-segment"
    public var v: Int = 1
    public var stream: String
    /// The segment's file name (unique within the stream).
    public var file: String
    /// Creation time, ISO 8601 UTC.
    public var created: String
}

/// Reading and writing zstd skippable frames.
enum SkippableFrame {
    static let segmentMagic: UInt32 = 0x184D_2A50
    static let blockMagic: UInt32 = 0x184D_2A51
    static let headerSize = 8

    static func append(magic: UInt32, payload: some Collection<UInt8>, to out: inout [UInt8]) {
        withUnsafeBytes(of: magic.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: payload)
    }

    /// Parses a skippable frame at the start of `bytes`: its magic and payload range, or `nil` if there is none.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> (magic: UInt32, payload: Range<Int>)? {
        guard bytes.count >= headerSize else { return nil }
        let magic = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        guard magic & 0xFFFF_FFF0 == 0x184D_2A50 else { return nil }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        guard headerSize + length <= bytes.count else { return nil }
        return (magic, headerSize..<(headerSize + length))
    }

    /// Encodes a header as compact JSON with sorted keys (once per block or segment, not per record).
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) } catch {
            throw ArchiveError(code: .invalidArgument, message: "Could not encode a frame header: \(error).")
        }
    }
}
