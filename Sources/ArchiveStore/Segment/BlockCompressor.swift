import Dispatch
import StreamModel
import Synchronization

/// Compresses finished blocks in the background, several at once, while the writer goes on parsing; hands them
/// back in submission order.
///
/// Blocks are independent zstd frames, so any free core takes the next one (each job borrows a zstd context from a
/// pool). Validation runs on every core beside it, so on two cores neither stage waits for a single thread of the
/// other. The writer drains all results before it writes and commits, so the commit protocol is unchanged. At most
/// `maxInFlight` blocks wait, which bounds memory.
final class BlockCompressor: @unchecked Sendable {
    // @unchecked: `submitted` and `drained` are touched by the submitting thread only; everything the jobs share
    // is behind `shared` (a Mutex).

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

    private struct Shared {
        /// Results by submission number, until drained.
        var results: [Int: Result<Compressed, any Error>] = [:]
        /// zstd contexts not in use (one per job running at once).
        var compressors: [ZstdCompressor] = []
        /// Record buffers of compressed blocks, emptied with their capacity kept, for the writer's next blocks: a
        /// fresh megabyte per block would be page-faulted in again every time (a tenth of ingest's kernel time).
        var spareBuffers: [[UInt8]] = []
    }

    private let queue = DispatchQueue(label: "streamvault.block-compressor", attributes: .concurrent)
    private let group = DispatchGroup()
    private let slots: DispatchSemaphore
    private let maxInFlight: Int
    private let level: Int32
    private let keyFilters: Bool
    private let shared = Mutex(Shared())
    private var submitted = 0
    private var drained = 0

    init(level: Int32, keyFilters: Bool = true, maxInFlight: Int = 16) throws {
        self.level = level
        self.keyFilters = keyFilters
        self.maxInFlight = maxInFlight
        slots = DispatchSemaphore(value: maxInFlight)
        let first = try ZstdCompressor(level: level)  // fails early (and here) if zstd cannot allocate
        shared.withLock { $0.compressors.append(first) }
    }

    /// An empty buffer for a block's records: one a compressed block left behind, or a new one of `capacity` bytes.
    func recordBuffer(capacity: Int) -> [UInt8] {
        if let spare = shared.withLock({ $0.spareBuffers.popLast() }) { return spare }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(capacity)
        return buffer
    }

    /// Queues `records` (newline-terminated lines) for compression behind `header`. The buffer comes back through
    /// ``recordBuffer(capacity:)`` once compressed.
    func submit(records: consuming [UInt8], header: BlockHeader, shardRowID: Int64, eventIDKeys: [UInt8]? = nil) throws {
        var headerFrame: [UInt8] = []
        headerFrame.reserveCapacity(records.count / 4 + 256)
        SkippableFrame.append(magic: SkippableFrame.blockMagic, payload: try SkippableFrame.encode(header), to: &headerFrame)
        let job = Job(records: records, headerFrame: headerFrame, header: header, shardRowID: shardRowID, eventIDKeys: eventIDKeys)
        let number = submitted
        submitted += 1
        slots.wait()
        queue.async(group: group) { [self] in
            defer { slots.signal() }
            let result = Result { try compress(job) }
            let spare = job.takeEmptiedRecords()
            shared.withLock {
                $0.results[number] = result
                if $0.spareBuffers.count < maxInFlight { $0.spareBuffers.append(spare) }
            }
        }
    }

    /// Waits for every submitted block and returns them in submission order.
    func drain() throws -> [Compressed] {
        group.wait()
        let results = shared.withLock { shared in
            defer { shared.results.removeAll(keepingCapacity: true) }
            return (drained..<submitted).map { shared.results[$0]! }
        }
        drained = submitted
        return try results.map { try $0.get() }
    }

    private func compress(_ job: Job) throws -> Compressed {
        let compressor = try shared.withLock { $0.compressors.popLast() } ?? ZstdCompressor(level: level)
        defer { shared.withLock { $0.compressors.append(compressor) } }
        var bytes = job.headerFrame
        try job.records.withUnsafeBytes { try compressor.compressFrame($0, appendingTo: &bytes) }
        // Built here, beside compression, so the parsing thread does not pay for it.
        var keyFilter: [UInt8]?
        if keyFilters, let format = RecordFormat(rawValue: job.header.format) {
            keyFilter = job.records.withUnsafeBufferPointer { BlockKeyFilter.build(records: $0, count: job.header.count, format: format) }
        }
        return Compressed(bytes: bytes, header: job.header, shardRowID: job.shardRowID, keyFilter: keyFilter, eventIDKeys: job.eventIDKeys)
    }

    /// A queued block, owned by its compression job alone, so emptying its records keeps their storage.
    private final class Job: @unchecked Sendable {
        // @unchecked: created by the submitting thread, then used by the one job it is handed to.
        var records: [UInt8]
        let headerFrame: [UInt8]
        let header: BlockHeader
        let shardRowID: Int64
        let eventIDKeys: [UInt8]?

        init(records: consuming [UInt8], headerFrame: [UInt8], header: BlockHeader, shardRowID: Int64, eventIDKeys: [UInt8]?) {
            self.records = records
            self.headerFrame = headerFrame
            self.header = header
            self.shardRowID = shardRowID
            self.eventIDKeys = eventIDKeys
        }

        /// The records' storage, emptied, capacity kept (the job no longer holds it, so no copy is made).
        func takeEmptiedRecords() -> [UInt8] {
            var taken: [UInt8] = []
            swap(&taken, &records)
            taken.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
