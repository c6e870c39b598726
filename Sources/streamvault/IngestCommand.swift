import ArchiveStore
public import ArgumentParser
import Foundation
import StreamModel

extension IngestOptions.InputFormat: ExpressibleByArgument {}

extension StreamVaultCommand {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",  // spelled out: deriving it from the type name costs start-up time
            abstract: "Archive DynamoDB change records from files or stdin.",
            discussion: """
                Input: NDJSON of native DynamoDB Streams records (GetRecords items, one per line), or Lambda \
                DynamoDB event files ({"Records":[...]}, several per file allowed); detected from the first \
                value unless --format says.

                Shards and duplicates: neither shape names its shard.
                  --shard ID   the input is that shard's log, in sequence order; a record at or below the \
                shard's archived sequence number is a duplicate, skipped, when an archived block of the shard \
                holds it; any other record below that position stops the run (the input is not that shard's log \
                in order). Re-ingesting a file is a no-op. A shard id is 1 to 128 characters of A-Z a-z 0-9 . _ : - \
                ('default' is reserved).
                  (no --shard) records go to the stream's 'default' shard and a record whose eventID is \
                already archived is skipped, whatever its order.

                Records may be up to 16 MiB long (--max-record-bytes changes it); a longer one stops the run.

                A record is acknowledged only once its block is fsynced and the catalog committed: after a crash, \
                run the same command again. Bad input stops the run with the file, line and field, after \
                archiving everything before it; --skip-invalid sets bad records aside instead.

                Examples:
                  streamvault ingest --stream orders records.ndjson
                  streamvault ingest --stream orders --shard shardId-000001 shard1.ndjson
                  aws dynamodbstreams get-records ... | jq -c '.Records[]' | streamvault ingest --stream orders -
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Stream to archive into (created on first use), e.g. the table name.", valueName: "name"))
        var stream: String

        @Option(
            help: ArgumentHelp(
                "The shard the input came from (see discussion): \(ShardName.rule). Default: the stream's 'default' shard.",
                valueName: "id"
            )
        )
        var shard: String?

        @Option(help: "Input layout; auto looks at the first value.")
        var format: IngestOptions.InputFormat = .auto

        @Flag(help: "Set invalid records aside in <storage>/<stream>/rejected/ with the reason, and go on.")
        var skipInvalid = false

        @Option(
            name: .customLong("block-kib"),
            help: ArgumentHelp("Uncompressed KiB of one shard's records per block, 1 to 65536 (advanced).", valueName: "KiB")
        )
        var blockKiB = 1024

        @Option(
            name: .customLong("commit-kib"),
            help: ArgumentHelp(
                "Uncompressed KiB buffered between commits (fsync + catalog transaction), 1 to 1048576 (advanced). Each commit waits for "
                    + "every block in flight, so bulk ingest commits every 32 MiB (about 20,000 records).",
                valueName: "KiB"
            )
        )
        var commitKiB = 32768

        @Option(
            name: .customLong("dedupe-memory-mib"),
            help: ArgumentHelp(
                "MiB of event-id keys kept in memory to recognise duplicates on event-id shards, 1 to 1048576; past it, whole hours of "
                    + "event time are dropped and read again from the catalog when needed (docs/FORMAT.md, \"Event-id index\").",
                valueName: "MiB"
            )
        )
        var dedupeMemoryMiB = WriterConfiguration().eventIDMemoryBytes >> 20

        /// Small segments for tests (crash tests need seals without 64 MiB of input).
        @Option(name: .customLong("max-segment-kib"), help: .hidden)
        var maxSegmentKiB: Int?

        @Option(
            name: .customLong("max-record-bytes"),
            help: ArgumentHelp("The longest record accepted, 1024 to 1073741824 bytes.", valueName: "bytes")
        )
        var maxRecordBytes = RecordInputReader.defaultMaxRecordBytes

        @Flag(
            name: .customLong("no-key-filters"),
            help: ArgumentHelp("Write no per-block item-key filters (to measure their cost).", visibility: .hidden)
        )
        var noKeyFilters = false

        @Argument(help: ArgumentHelp("Files to read; - is stdin.", valueName: "file"))
        var files: [String] = []

        func validate() throws {
            try global.validateLogLevel()
            guard !files.isEmpty else { throw ValidationError("Name at least one input file, or - for stdin.") }
            try Self.requireRange("--block-kib", blockKiB, Self.blockKiBRange)
            try Self.requireRange("--commit-kib", commitKiB, Self.commitKiBRange)
            try Self.requireRange("--dedupe-memory-mib", dedupeMemoryMiB, Self.dedupeMemoryMiBRange)
            try Self.requireRange("--max-record-bytes", maxRecordBytes, Self.maxRecordBytesRange)
            do { try StorageLayout.validateStreamName(stream) } catch { throw ValidationError("\(error)") }
            if let shard { do { try ShardName.validate(shard) } catch { throw ValidationError("\(error)") } }
        }

        /// 1 KiB to 64 MiB per block, 1 KiB to 1 GiB between commits: far beyond what helps, far below overflow.
        static let blockKiBRange = 1...65_536
        static let commitKiBRange = 1...1_048_576
        /// 1 MiB to 1 TiB of event-id keys.
        static let dedupeMemoryMiBRange = 1...1_048_576
        /// Shared with convert: 1 KiB to 1 GiB.
        static let maxRecordBytesRange = 1024...(1 << 30)

        static func requireRange(_ option: String, _ value: Int, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else {
                throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound) (got \(value)).")
            }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: true)
            let started = Date()
            var options = IngestOptions(stream: stream, shard: shard, format: format, skipInvalid: skipInvalid, maxRecordBytes: maxRecordBytes)
            options.writer.blockBytes = blockKiB << 10
            options.writer.commitBytes = commitKiB << 10
            if let maxSegmentKiB { options.writer.maxSegmentBytes = max(maxSegmentKiB, 1) << 10 }
            options.writer.keyFilters = !noKeyFilters
            options.writer.eventIDMemoryBytes = dedupeMemoryMiB << 20
            let showProgress = stderrIsTerminal
            let ingestor = try Ingestor(layout: global.layout, catalog: catalog, options: options, logger: global.makeLogger("streamvault.ingest")) {
                s in
                guard showProgress else { return }
                let rate = Double(s.recordsRead) / max(Date().timeIntervalSince(started), 0.001)
                FileHandle.standardError.write(Data("\r\(stream): \(Format.count(s.recordsRead)) records read, \(Format.count(Int(rate)))/s   ".utf8))
            }
            let summary: IngestSummary
            do {
                summary = try ingestor.ingest(paths: files)
            } catch {
                if showProgress { printError("") }
                throw error
            }
            if showProgress { printError("") }
            let seconds = Date().timeIntervalSince(started)
            var line = "\(stream): \(Format.count(summary.archived)) records archived"
            line += ", \(Format.count(summary.duplicates)) duplicates skipped"
            if summary.rejected > 0 { line += ", \(Format.count(summary.rejected)) rejected" }
            line += "; \(Format.bytes(Int64(summary.rawBytes))) -> \(Format.bytes(Int64(summary.storedBytes)))"
            line += " (\(Format.ratio(raw: Int64(summary.rawBytes), stored: Int64(summary.storedBytes))))"
            line += String(format: " in %.2f s (%@ records/s)", seconds, Format.count(Int(Double(summary.recordsRead) / max(seconds, 0.001))))
            printError(line)
            if let file = summary.rejectedFile {
                printError("Rejected records: \(file) (reasons beside it in .reasons.ndjson). Fix them and ingest that file.")
            }
        }
    }
}
