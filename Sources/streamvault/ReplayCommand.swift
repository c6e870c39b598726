import ArchiveStore
public import ArgumentParser
import Foundation
import Replay
public import StreamModel

extension ReplaySelection.Order: ExpressibleByArgument {}

extension EventName: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

extension StreamVaultCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",  // spelled out: deriving it from the type name costs start-up time
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
                  streamvault replay --stream orders --order time --event-name REMOVE
                  streamvault replay --stream orders --format plain --from 2026-01-01T06:00:00Z --to 2026-01-01T07:00:00Z
                  streamvault replay --stream orders --key pk=CUSTOMER#10001 --key sk=ORDER#2026000003
                  streamvault replay --stream orders --only-ttl-deletes --format plain
                  streamvault replay --stream orders --filter '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["SHIPPED"]}}}}'
                  streamvault replay --stream orders --filter @criteria.json    # a pattern, or the AWS CLI's {"Filters":[...]}

                Selection options combine (all must hold); repeated --filter patterns are an OR, as in Lambda's \
                FilterCriteria. Filtered records are counted (--timing), not written. docs/SELECTION.md has the syntax.

                Handlers (docs/HANDLERS.md): --exec, --http, --lambda-runtime or --lambda send the records as Lambda \
                events, with the event source mapping's batching, retries and failure handling; --name checkpoints, \
                --resume continues. Exit status with a handler: 0 every record delivered; 3 some were given up \
                (see --on-failure); 4 the handler could not be used; 65 damage in the archive.
                  streamvault replay --stream orders --exec ./handler --batch-size 100 --report-batch-item-failures
                  streamvault replay --stream orders --lambda-runtime "python3 -m awslambdaric app.handler" --name backfill
                  streamvault replay --resume backfill
                """
        )

        /// Exit status when the replay stopped at damage (sysexits' EX_DATAERR); the records before it were written.
        static let damageExitStatus: Int32 = 65

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("stream"), help: ArgumentHelp("Stream to replay.", valueName: "name"))
        var streamOption: String?

        /// `--stream` (required unless `--resume` names a replay that knows its stream).
        var stream: String { streamOption ?? "" }

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
        var order: ReplaySelection.Order = .shard

        @Option(name: .customLong("event-name"), parsing: .upToNextOption, help: "Only these events (default: all).")
        var eventName: [EventName] = []

        @OptionGroup(title: "Record selection") var selection: SelectionOptions

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

        @OptionGroup(title: "Handlers (docs/HANDLERS.md)") var handler: HandlerOptions

        func validate() throws {
            try global.validateLogLevel()
            if streamOption == nil && handler.resume == nil {
                throw ValidationError("Missing expected argument '--stream <name>'.")
            }
            let fromMillis = try Self.time("--from", from)
            let toMillis = try Self.time("--to", to)
            if let fromMillis, let toMillis, fromMillis > toMillis {
                throw ValidationError("--from '\(from ?? "")' is after --to '\(to ?? "")': pass an earlier --from or a later --to.")
            }
            if (fromSeq != nil || toSeq != nil) && shard == nil {
                throw ValidationError(
                    "--from-seq/--to-seq compare sequence numbers within one shard: add --shard ID (`streamvault ls` lists shards)."
                )
            }
            let low = try Self.sequence("--from-seq", fromSeq)
            let high = try Self.sequence("--to-seq", toSeq)
            if let low, let high, low > high {
                throw ValidationError("--from-seq \(low) is above --to-seq \(high): swap them, or pass a higher --to-seq.")
            }
        }

        /// A time option as epoch ms, checked against the times a replay can name.
        static func time(_ name: String, _ text: String?) throws -> Int64? {
            guard let text else { return nil }
            guard let millis = ISO8601.parseMillis(text) else {
                throw ValidationError("\(name) '\(text)' is not a time: use 2026-01-01T00:10:00Z or epoch seconds.")
            }
            guard ReplaySelection.supportedTimes.contains(millis) else {
                throw ValidationError(
                    "\(name) '\(text)' is out of range: times from \(ISO8601.format(millis: ReplaySelection.supportedTimes.lowerBound)) "
                        + "to \(ISO8601.format(millis: ReplaySelection.supportedTimes.upperBound)) are accepted."
                )
            }
            return millis
        }

        /// A sequence-number option: decimal digits, at most ``SequenceNumber/paddedWidth`` significant.
        static func sequence(_ name: String, _ text: String?) throws -> SequenceNumber? {
            guard let text else { return nil }
            guard let sequence = SequenceNumber(text) else {
                throw ValidationError(
                    "\(name) '\(text.prefix(80))' is not a sequence number: pass decimal digits (at most \(SequenceNumber.paddedWidth) significant)."
                )
            }
            return sequence
        }

        func run() async throws {
            if let name = handler.resume {
                try await resumeNamedReplay(name)
                return
            }
            if handler.isActive {
                try await runHandlers()
                return
            }
            let catalog = try global.openCatalog(create: false)
            let selection = ReplaySelection(
                stream: stream,
                from: try Self.time("--from", from),
                to: try Self.time("--to", to),
                shard: shard,
                fromSequence: try Self.sequence("--from-seq", fromSeq),
                toSequence: try Self.sequence("--to-seq", toSeq),
                order: order
            )
            var conversion: ConversionOptions?
            if let tableName, let info = try catalog.stream(named: stream) {
                var options = ConversionOptions()
                options.tableName = tableName
                options.region = info.region
                options.streamARN = info.arn
                conversion = options
            }
            let pipeline = try ReplayPipeline(
                catalog: catalog,
                layout: global.layout,
                selection: selection,
                filter: try self.selection.recordSelection(eventNames: eventName).makeFilter(),
                format: format,
                conversion: conversion
            )
            let output = BufferedOutput(fileDescriptor: 1)
            var sink = NDJSONSink(output)
            do {
                try pipeline.run(into: &sink)
            } catch let error as ReplayError where error.code == .damagedBlock {
                // Everything read before the damage goes out first; then the damage, and a distinct status.
                try output.flush()
                printError("replay: \(error.message)")
                throw ExitCode(Self.damageExitStatus)
            } catch {
                try? output.flush()
                throw error
            }
            try output.flush()
            if timing {
                let stats = pipeline.statistics
                printError(
                    String(
                        format: "replay: %d records from %d blocks (%@ decompressed, %d filtered out); catalog lookup %.2f ms, total %.2f ms",
                        stats.recordsDelivered,
                        stats.blocksRead,
                        Format.bytes(Int64(stats.bytesDecompressed)),
                        stats.recordsFiltered,
                        Double(stats.lookupNanos) / 1e6,
                        Double(stats.totalNanos) / 1e6
                    )
                )
            }
        }
    }
}
