import ArchiveStore
public import ArgumentParser
import Foundation
import Replay
import StreamModel

extension ReplayQuery.Order: ExpressibleByArgument {}

extension StreamVaultCommand {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write archived records in a time or sequence range to stdout as NDJSON.",
            discussion: """
                Records come out in the shape they were archived in, one per line: per shard in sequence \
                order, parent shards first (--order time: one global event-time order).

                Times are ISO 8601 (2026-01-01T00:10:00Z, 2026-01-01T02:10:00+02:00, 2026-01-01) or epoch \
                seconds (1767226200). --from is inclusive, --to exclusive, on the record's \
                ApproximateCreationDateTime. --from-seq and --to-seq are both inclusive and need --shard.

                Examples:
                  streamvault replay --stream orders --from 2026-01-01T06:00:00Z --to 2026-01-01T06:01:00Z
                  streamvault replay --stream orders --shard shardId-000001 --from-seq 4000000000000000000123
                  streamvault replay --stream orders --order time | jq -c 'select(.eventName == "REMOVE")'
                  streamvault replay --stream orders --format plain --from 2026-01-01T06:00:00Z --to 2026-01-01T07:00:00Z
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Stream to replay.", valueName: "name"))
        var stream: String

        @Option(help: ArgumentHelp("Earliest event time, inclusive.", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("Latest event time, exclusive.", valueName: "time"))
        var to: String?

        @Option(help: ArgumentHelp("Only this shard.", valueName: "id"))
        var shard: String?

        @Option(help: ArgumentHelp("Lowest sequence number, inclusive (with --shard).", valueName: "seq"))
        var fromSeq: String?

        @Option(help: ArgumentHelp("Highest sequence number, inclusive (with --shard).", valueName: "seq"))
        var toSeq: String?

        @Option(help: "Output order.")
        var order: ReplayQuery.Order = .shard

        @Option(help: "Output shape; default: as archived. Conversions are lossless (docs/CONVERSION.md).")
        var format: RecordFormat?

        @Option(
            help: ArgumentHelp(
                "Table name for kds/Kinesis output when the records do not carry it (default: the stream's table, else its name).",
                valueName: "name"
            )
        )
        var tableName: String?

        @Flag(help: "Print the catalog lookup time, blocks read and total time to stderr.")
        var timing = false

        func validate() throws {
            try global.validateLogLevel()
            if let from, ISO8601.parseMillis(from) == nil {
                throw ValidationError("--from '\(from)' is not a time: use 2026-01-01T00:10:00Z or epoch seconds.")
            }
            if let to, ISO8601.parseMillis(to) == nil {
                throw ValidationError("--to '\(to)' is not a time: use 2026-01-01T00:10:00Z or epoch seconds.")
            }
            if (fromSeq != nil || toSeq != nil) && shard == nil {
                throw ValidationError(
                    "--from-seq/--to-seq compare sequence numbers within one shard: add --shard ID (`streamvault ls` lists shards)."
                )
            }
            for (name, value) in [("--from-seq", fromSeq), ("--to-seq", toSeq)] {
                if let value, SequenceNumber(value) == nil { throw ValidationError("\(name) '\(value)' is not a sequence number (decimal digits).") }
            }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            let engine = try ReplayEngine(layout: global.layout, catalog: catalog)
            let query = ReplayQuery(
                stream: stream,
                from: from.flatMap { ISO8601.parseMillis($0) },
                to: to.flatMap { ISO8601.parseMillis($0) },
                shard: shard,
                fromSequence: fromSeq.flatMap { SequenceNumber($0) },
                toSequence: toSeq.flatMap { SequenceNumber($0) },
                order: order
            )
            let output = BufferedOutput(fileDescriptor: 1)
            var options = ConversionOptions()
            if let info = try catalog.stream(named: stream) {
                options.tableName = tableName ?? info.tableName ?? info.name
                options.region = info.region
                options.streamARN = info.arn
            }
            var converters: [RecordFormat: RecordConverter] = [:]
            let stats = try engine.run(query) { record, stored in
                if let format, format != stored {
                    var converter = converters[stored] ?? RecordConverter(from: stored, to: format, options: options)
                    do throws(ShapeError) {
                        try converter.convert(record, into: &output.buffer)
                    } catch {
                        throw CLIError("Converting an archived \(stored.rawValue) record to \(format.rawValue) failed: \(error)")
                    }
                    converters[stored] = converter
                } else {
                    output.buffer.append(contentsOf: record)
                }
                output.buffer.append(0x0A)
                try output.flushIfNeeded()
                return !output.isClosed
            }
            try output.flush()
            if timing {
                printError(
                    String(
                        format: "replay: %d records from %d blocks (%@ decompressed); catalog lookup %.2f ms, total %.2f ms",
                        stats.records,
                        stats.blocksRead,
                        Format.bytes(Int64(stats.bytesDecompressed)),
                        Double(stats.lookupNanos) / 1e6,
                        Double(stats.totalNanos) / 1e6
                    )
                )
            }
        }
    }
}
