public import Logging
public import StreamModel

/// Options of one ingest run.
public struct IngestOptions: Sendable {
    /// How the input files are laid out.
    public enum InputFormat: String, Sendable, CaseIterable {
        /// Look at the first value: an object whose first key is `Records` (or an array) means event files, else NDJSON.
        case auto
        /// NDJSON: one native DynamoDB Streams record (GetRecords item) per line.
        case native
        /// Lambda DynamoDB event files (`{"Records":[...]}`, pretty-printed or not, several per file allowed).
        case lambdaDynamoDB = "lambda-dynamodb"
    }

    /// Target stream (created on first use).
    public var stream: String
    /// The shard the input came from; `nil` sends records to the stream's default shard (dedupe by eventID).
    public var shard: String?
    public var format: InputFormat
    /// Set invalid records aside in `<stream>/rejected/` and go on, instead of stopping at the first one.
    public var skipInvalid: Bool
    public var writer: WriterConfiguration
    /// The longest record accepted (``RecordInputReader/defaultMaxRecordBytes`` unless set).
    public var maxRecordBytes: Int

    public init(
        stream: String,
        shard: String? = nil,
        format: InputFormat = .auto,
        skipInvalid: Bool = false,
        writer: WriterConfiguration = .init(),
        maxRecordBytes: Int = RecordInputReader.defaultMaxRecordBytes
    ) {
        self.stream = stream
        self.shard = shard
        self.format = format
        self.skipInvalid = skipInvalid
        self.writer = writer
        self.maxRecordBytes = maxRecordBytes
    }

    /// The reader layout of this input format.
    var layout: RecordInputReader.Layout {
        switch format {
        case .auto: return .auto
        case .native: return .lines
        case .lambdaDynamoDB: return .values
        }
    }
}

/// Counts of an ingest run.
public struct IngestSummary: Sendable, Equatable {
    public var recordsRead = 0
    public var archived = 0
    public var duplicates = 0
    public var rejected = 0
    public var rawBytes = 0
    public var storedBytes = 0
    /// Where rejected lines went, if any.
    public var rejectedFile: String?
}

/// Reads change records from files or stdin, validates them, and archives them through a ``StreamWriter``.
///
/// Bad input either stops the run (after committing everything before it) with an error naming the file,
/// line and JSON path, or, with ``IngestOptions/skipInvalid``, goes to the rejected log.
public final class Ingestor {
    private let options: IngestOptions
    private let writer: StreamWriter
    private let shardID: String
    private let rejected: RejectedLog
    private var summary = IngestSummary()
    private var compacted: [UInt8] = []
    /// Records of the reader's current buffer, validated together.
    private let batch = RecordBatch()
    private let progress: (IngestSummary) -> Void
    private var nextProgress = 100_000

    public init(
        layout: StorageLayout,
        catalog: Catalog,
        options: IngestOptions,
        clock: WallClock = .system,
        logger: Logger = Logger(label: "streamvault.ingest"),
        progress: @escaping (IngestSummary) -> Void = { _ in }
    ) throws {
        if let shard = options.shard { try ShardName.validate(shard) }
        self.options = options
        self.writer = try StreamWriter(
            layout: layout,
            catalog: catalog,
            streamName: options.stream,
            configuration: options.writer,
            clock: clock,
            logger: logger
        )
        self.shardID = options.shard ?? ShardInfo.defaultShardID
        try writer.openShard(shardID, dedupe: options.shard == nil ? .eventID : .sequence)
        self.rejected = RejectedLog(directory: layout.rejectedDirectory(options.stream), now: clock.nowMillis())
        self.progress = progress
    }

    deinit { rejected.close() }

    /// Ingests `paths` (`-` is stdin) in order, then commits. Returns the run's counts.
    public func ingest(paths: [String]) throws -> IngestSummary {
        do {
            for path in paths {
                let input = try InputFile(path: path)
                try ingest(input)
            }
            try commit()
        } catch {
            // Everything before the failure is valid: make it durable before reporting.
            try commit()
            throw error
        }
        summary.rejectedFile = rejected.count > 0 ? rejected.linesPath : nil
        return summary
    }

    private func commit() throws {
        try rejected.sync()
        try writer.commit()
        let stats = writer.statistics
        summary.archived = stats.committedRecords
        summary.duplicates = stats.duplicates
        summary.rawBytes = stats.committedRawBytes
        summary.storedBytes = stats.committedStoredBytes
    }

    /// Streams one input through the shared ``RecordInputReader``: NDJSON line by line, event files record by record.
    private func ingest(_ input: InputFile) throws {
        let reader = RecordInputReader(
            fileDescriptor: input.fileDescriptor,
            chunkSize: 8 << 20,
            layout: options.layout,
            maxRecordBytes: options.maxRecordBytes
        )
        batch.removeAll()
        do {
            try reader.forEachRecord(
                { record, location in batch.add(record, location: location) },
                beforeReuse: { try acceptBatch(source: input.name) }
            )
        } catch let error as RecordInputError {
            // The records before the broken spot are still in the reader's buffer: archive them first.
            try acceptBatch(source: input.name)
            switch error.code {
            case .readFailed:
                throw ArchiveError(code: .io, message: "\(input.name): \(error.message).")
            case .recordTooLarge:
                // Where the next record starts is unknown: nothing after this point can be read, even with --skip-invalid.
                throw ArchiveError(
                    code: .invalidInput,
                    message: "\(input.name):\(error.line): \(error.reason). Everything before this record is archived."
                )
            default:
                // The file's structure is broken (truncated, not JSON): nothing after this point can be trusted.
                try fail(UnsafeBufferPointer(start: nil, count: 0), source: input.name, line: error.line, reason: error.reason)
            }
        }
    }

    // MARK: Records

    /// Validates the gathered records together (on every core), then takes them in input order.
    ///
    /// A block's worth at a time: the blocks appended from one slice compress in the background (``BlockCompressor``)
    /// while the next slice is validated, so every core stays busy.
    private func acceptBatch(source: String) throws {
        defer { batch.removeAll() }
        var start = 0
        while start < batch.count {
            let slice = batch.slice(from: start, bytes: options.writer.blockBytes)
            batch.validate(slice)
            try accept(batchSlice: slice, source: source)
            start = slice.upperBound
        }
    }

    private func accept(batchSlice slice: Range<Int>, source: String) throws {
        for i in slice {
            let entry = batch.entries[i]
            let line = entry.location.line
            switch batch.outcomes[i] {
            case .blank:
                continue
            case .multiline:
                try accept(entry.bytes, source: source, line: line, path: entry.location.path)
            case .invalid(let error):
                summary.recordsRead += 1
                try fail(entry.bytes, source: source, line: line, reason: error.inside(entry.location.path).description)
            case .valid(let facts):
                summary.recordsRead += 1
                try store(entry.bytes, facts: facts, source: source, line: line)
            }
        }
    }

    private func accept(_ record: UnsafeBufferPointer<UInt8>, source: String, line: Int, path: [ShapeError.PathComponent]) throws {
        if JSONCompactor.containsLineBreak(record) {
            compacted.removeAll(keepingCapacity: true)
            JSONCompactor.compact(record, into: &compacted)
            if compacted.isEmpty { return }  // a blank line (CRLF files end with one)
            try compacted.withUnsafeBufferPointer { try acceptLine($0, source: source, line: line, path: path) }
            return
        }
        // Blank lines between records are fine.
        if record.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        try acceptLine(record, source: source, line: line, path: path)
    }

    private func acceptLine(_ record: UnsafeBufferPointer<UInt8>, source: String, line: Int, path: [ShapeError.PathComponent]) throws {
        summary.recordsRead += 1
        var c = JSONCursor(UnsafeRawBufferPointer(record))
        let facts: ChangeRecordFacts
        do throws(ShapeError) {
            facts = try ChangeRecordScanner.scanNative(&c)
            guard c.atEnd() else { throw ShapeError(expectation: "unexpected text after the record", offset: c.offset) }
        } catch {
            try fail(record, source: source, line: line, reason: error.inside(path).description)
            return
        }
        try store(record, facts: facts, source: source, line: line)
    }

    /// Appends a valid record to the writer.
    private func store(_ record: UnsafeBufferPointer<UInt8>, facts: ChangeRecordFacts, source: String, line: Int) throws {
        let format: RecordFormat = facts.hasEventSourceARN ? .lambdaDynamoDB : .native
        do {
            _ = try writer.append(
                record,
                shard: shardID,
                sequence: facts.sequenceNumber,
                eventID: facts.eventID,
                eventTime: facts.eventTimeMillis,
                format: format,
                isOneLine: true  // RecordBatch or accept(_:) checked it (or compacted it)
            )
        } catch let error as ArchiveError where error.code == .invalidInput {
            throw ArchiveError(
                code: .invalidInput,
                message: "\(source):\(line): \(error.message) Everything before this record is archived. If the input holds records of "
                    + "several shards, or is out of order, leave out --shard: records then go to the stream's '\(ShardInfo.defaultShardID)' "
                    + "shard, where duplicates are recognised by eventID in any order."
            )
        }
        if summary.recordsRead >= nextProgress {
            nextProgress += 100_000
            var snapshot = summary
            snapshot.duplicates = writer.statistics.duplicates
            progress(snapshot)
        }
    }

    private func fail(_ bytes: UnsafeBufferPointer<UInt8>, source: String, line: Int, reason: String) throws {
        if options.skipInvalid {
            try rejected.reject(bytes, source: source, line: line, reason: reason)
            summary.rejected += 1
            return
        }
        throw ArchiveError(
            code: .invalidInput,
            message: "\(source):\(line): \(reason). Everything before this record is archived; fix the input and run the same command again "
                + "(already archived records are skipped), or pass --skip-invalid to set bad records aside in \(rejected.directory)/ and go on."
        )
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
