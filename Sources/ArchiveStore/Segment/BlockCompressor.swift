import Dispatch
import StreamModel

/// Compresses blocks on one background thread, in submission order, while the writer goes on parsing.
///
/// Ingest is two passes over every byte (validate, then compress); on two cores they overlap. The writer
/// drains all results before it writes and commits, so the commit protocol is unchanged. At most
/// `maxInFlight` blocks wait, which bounds memory.
final class BlockCompressor: @unchecked Sendable {
    // @unchecked: `compressor` and `finished`/`failure` are only touched on `queue` (a serial queue); the
    // submitting thread reads them back through `queue.sync` in `drain()`.
    private let queue = DispatchQueue(label: "streamvault.block-compressor")
    private let slots: DispatchSemaphore
    private let compressor: ZstdCompressor
    private var finished: [Compressed] = []
    private var failure: (any Error)?

    /// A compressed block: its header frame and zstd frame, ready to append to a segment.
    struct Compressed {
        var bytes: [UInt8]
        var header: BlockHeader
        var shardRowID: Int64
        /// The block's item-key filter (``BlockKeyFilter``), `nil` when its records do not expose their keys.
        var keyFilter: [UInt8]?
        /// The records' event-id keys (event-id shards), passed through to the commit.
        var eventIDKeys: [UInt8]?
    }

    private let keyFilters: Bool

    init(level: Int32, keyFilters: Bool = true, maxInFlight: Int = 4) throws {
        compressor = try ZstdCompressor(level: level)
        self.keyFilters = keyFilters
        slots = DispatchSemaphore(value: maxInFlight)
    }

    /// Queues `records` (newline-terminated lines) for compression behind `header`.
    func submit(records: [UInt8], header: BlockHeader, shardRowID: Int64, eventIDKeys: [UInt8]? = nil) throws {
        var headerFrame: [UInt8] = []
        headerFrame.reserveCapacity(records.count / 4 + 256)
        SkippableFrame.append(magic: SkippableFrame.blockMagic, payload: try SkippableFrame.encode(header), to: &headerFrame)
        let frame = headerFrame
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard failure == nil else { return }
            var bytes = frame
            do {
                try records.withUnsafeBytes { try compressor.compressFrame($0, appendingTo: &bytes) }
                // Built here, beside compression, so the parsing thread does not pay for it.
                var keyFilter: [UInt8]?
                if keyFilters, let format = RecordFormat(rawValue: header.format) {
                    keyFilter = records.withUnsafeBufferPointer { BlockKeyFilter.build(records: $0, count: header.count, format: format) }
                }
                finished.append(Compressed(bytes: bytes, header: header, shardRowID: shardRowID, keyFilter: keyFilter, eventIDKeys: eventIDKeys))
            } catch {
                failure = error
            }
        }
    }

    /// Waits for every submitted block and returns them in submission order.
    func drain() throws -> [Compressed] {
        try queue.sync {
            if let failure {
                self.failure = nil
                throw failure
            }
            defer { finished.removeAll(keepingCapacity: true) }
            return finished
        }
    }
}
