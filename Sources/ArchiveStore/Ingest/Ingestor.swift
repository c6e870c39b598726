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

    public init(stream: String, shard: String? = nil, format: InputFormat = .auto, skipInvalid: Bool = false, writer: WriterConfiguration = .init()) {
        self.stream = stream
        self.shard = shard
        self.format = format
        self.skipInvalid = skipInvalid
        self.writer = writer
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

    private func ingest(_ input: InputFile) throws {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 << 20)
        _ = try input.read(upTo: 1 << 16, appendingTo: &buffer)
        let mode = options.format == .auto ? detect(buffer) : options.format
        if mode == .lambdaDynamoDB {
            buffer += try input.readAll()
            try ingestEvents(buffer, name: input.name)
        } else {
            try ingestLines(input, buffer: &buffer)
        }
    }

    private func detect(_ head: [UInt8]) -> IngestOptions.InputFormat {
        head.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            if c.peek() == UInt8(ascii: "[") { return .lambdaDynamoDB }
            guard (try? c.openObject()) == true, let key = try? c.readKey() else { return .native }
            return c.equals(key, "Records") ? .lambdaDynamoDB : .native
        }
    }

    // MARK: NDJSON

    private func ingestLines(_ input: InputFile, buffer: inout [UInt8]) throws {
        var line = 0
        var chunk = 8 << 20
        var eof = false
        while true {
            var consumed = 0
            try buffer.withUnsafeBufferPointer { all in
                let count = all.count
                var start = 0
                while start < count {
                    guard let newline = Self.indexOfNewline(all, from: start) else { break }
                    line += 1
                    try accept(UnsafeBufferPointer(rebasing: all[start..<newline]), source: input.name, line: line, path: [])
                    start = newline + 1
                }
                if eof && start < count {  // last line without a newline
                    line += 1
                    try accept(UnsafeBufferPointer(rebasing: all[start..<count]), source: input.name, line: line, path: [])
                    start = count
                }
                consumed = start
            }
            buffer.removeFirst(consumed)
            if eof { return }
            if buffer.count >= chunk / 2 { chunk *= 2 }  // a very long line: read bigger chunks
            eof = try input.read(upTo: chunk, appendingTo: &buffer) == 0
        }
    }

    private static func indexOfNewline(_ all: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = all.baseAddress, start < all.count else { return nil }
        guard let hit = memchr(base + start, 0x0A, all.count - start) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    // MARK: Event files

    private func ingestEvents(_ bytes: [UInt8], name: String) throws {
        try bytes.withUnsafeBufferPointer { all in
            var c = JSONCursor(UnsafeRawBufferPointer(all))
            var lines = LineCounter()
            var event = 0
            while !c.atEnd() {
                event += 1
                let eventStart = c.offset
                do {
                    if c.peek() == UInt8(ascii: "[") {
                        try eachElement(&c, all: all, lines: &lines, name: name, path: [])
                    } else if try c.openObject() {
                        var sawRecords = false
                        repeat {
                            let key = try c.readKey()
                            if c.equals(key, "Records") {
                                sawRecords = true
                                try eachElement(&c, all: all, lines: &lines, name: name, path: [.key("Records")])
                            } else {
                                try c.skipValue(depth: 1)
                            }
                        } while try c.nextMember(closing: UInt8(ascii: "}"))
                        if !sawRecords { throw ShapeError(expectation: "expected a Lambda event object with a Records array", offset: eventStart) }
                    } else {
                        throw ShapeError(expectation: "expected a Lambda event object with a Records array", offset: eventStart)
                    }
                } catch let error as ShapeError {
                    // The file's structure is broken (truncated, not JSON): nothing after this point can be trusted.
                    let line = lines.line(at: min(error.offset, all.count), in: all)
                    let rest = UnsafeBufferPointer(rebasing: all[eventStart...])
                    try fail(rest, source: name, line: line, reason: error.description)
                    return
                }
            }
        }
    }

    private struct LineCounter {
        var offset = 0
        var line = 1
        mutating func line(at target: Int, in all: UnsafeBufferPointer<UInt8>) -> Int {
            if target < offset {
                offset = 0
                line = 1
            }
            while offset < target {
                if all[offset] == 0x0A { line += 1 }
                offset += 1
            }
            return line
        }
    }

    private func eachElement(
        _ c: inout JSONCursor,
        all: UnsafeBufferPointer<UInt8>,
        lines: inout LineCounter,
        name: String,
        path: [ShapeError.PathComponent]
    ) throws {
        guard c.peek() == UInt8(ascii: "[") else { throw c.fail("expected an array of records").inside(path) }
        guard try c.openArray() else { return }
        var index = 0
        repeat {
            _ = c.peek()
            let start = c.offset
            do throws(ShapeError) { try c.skipValue(depth: 1) } catch { throw error.inside(path + [.index(index)]) }
            let element = UnsafeBufferPointer(rebasing: all[start..<c.offset])
            let line = lines.line(at: start, in: all)
            try accept(element, source: name, line: line, path: path + [.index(index)])
            index += 1
        } while try c.nextMember(closing: UInt8(ascii: "]"))
    }

    // MARK: Records

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
        let format: RecordFormat = facts.hasEventSourceARN ? .lambdaDynamoDB : .native
        do {
            _ = try writer.append(
                record,
                shard: shardID,
                sequence: facts.sequenceNumber,
                eventID: facts.eventID,
                eventTime: facts.eventTimeMillis,
                format: format
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
