import ArchiveStore
public import ArgumentParser
import Foundation
public import Replay
import StreamModel

extension ItemHistory.ImageFormat: ExpressibleByArgument {}

extension StreamVaultCommand {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Every change of one item, in order: when, what (INSERT/MODIFY/REMOVE), who (a principal or TTL), the images.",
            discussion: """
                Changes come per shard in sequence order, parents first, shards merged by event time. The item is \
                named by its key attributes: attr=value for a string, attr:N=42 for a number, attr:B=base64 for \
                binary; repeat --key for a composite key (partition and sort key). TTL deletes show TTL as who.

                A human table by default; --json prints one JSON object per change (time, eventName, who, \
                ttlDelete, shardId, sequenceNumber, eventID, keys, newImage, oldImage) for scripts and jq. \
                --format native keeps the images in DynamoDB JSON.

                Cost: only blocks whose key filter may hold the item are read (docs/SELECTION.md); --from/--to \
                narrow further. --timing prints blocks read against blocks in range.

                Examples:
                  streamvault history --stream orders --key pk=CUSTOMER#10001 --key sk=ORDER#2026000003
                  streamvault history --stream orders --key orderId=ORD-1 --from 2026-03-01 --to 2026-04-01 --json
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Stream to read.", valueName: "name"))
        var stream: String

        @Option(
            name: .customLong("key"),
            help: ArgumentHelp("A key attribute of the item: attr=value, attr:N=42, attr:B=base64.", valueName: "attr=value")
        )
        var keys: [String] = []

        @Option(help: ArgumentHelp("Earliest event time, inclusive.", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("Latest event time, exclusive.", valueName: "time"))
        var to: String?

        @Option(help: "Form of the images.")
        var format: ItemHistory.ImageFormat = .plain

        @Flag(help: "Print one JSON object per change (NDJSON) instead of a table.")
        var json = false

        @Flag(help: "Print blocks read, records scanned and the time taken to stderr.")
        var timing = false

        func validate() throws {
            try global.validateLogLevel()
            guard !keys.isEmpty else {
                throw ValidationError("Name the item with --key attr=value (repeat it for a composite key), e.g. --key orderId=ORD-1.")
            }
            _ = try key()
            let fromMillis = try Replay.time("--from", from)
            let toMillis = try Replay.time("--to", to)
            if let fromMillis, let toMillis, fromMillis > toMillis {
                throw ValidationError("--from '\(from ?? "")' is after --to '\(to ?? "")': pass an earlier --from or a later --to.")
            }
        }

        func key() throws -> ItemKey {
            do throws(SelectionError) {
                return try ItemKey(parsing: keys)
            } catch {
                throw ValidationError(error.message)
            }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            let history = try ItemHistory(
                catalog: catalog,
                layout: global.layout,
                stream: stream,
                key: try key(),
                from: try Replay.time("--from", from),
                to: try Replay.time("--to", to),
                images: format
            )
            let output = BufferedOutput(fileDescriptor: 1)
            var count = 0
            if !json {
                try Self.emit(output, Self.row("TIME", "EVENT", "WHO", "SHARD", "SEQUENCE"))
            }
            do {
                try history.run { change in
                    count += 1
                    if json {
                        try Self.emit(output, change.json + "\n")
                    } else {
                        try Self.emit(
                            output,
                            Self.row(
                                ISO8601.format(millis: change.timeMillis),
                                change.eventName,
                                change.who.description,
                                change.shardID,
                                change.sequenceNumber
                            )
                        )
                        if let image = change.newImage { try Self.emit(output, "    new: \(image)\n") }
                        if let image = change.oldImage { try Self.emit(output, "    old: \(image)\n") }
                    }
                }
            } catch let error as ReplayError where error.code == .damagedBlock {
                try output.flush()
                printError("history: \(error.message)")
                throw ExitCode(Replay.damageExitStatus)
            }
            try output.flush()
            if !json && count == 0 {
                printError("history: no change of \(history.key) in stream '\(stream)'\(from != nil || to != nil ? " in that time range" : "").")
            }
            if timing {
                let stats = history.statistics
                printError(
                    String(
                        format: "history: %d changes; %d blocks read of %d in range (%d records scanned); total %.2f ms",
                        count,
                        stats.blocksRead,
                        stats.blocksRead + stats.blocksSkipped,
                        stats.recordsRead,
                        Double(stats.totalNanos) / 1e6
                    )
                )
            }
        }

        static func emit(_ output: BufferedOutput, _ text: String) throws {
            output.buffer.append(contentsOf: text.utf8)
            try output.flushIfNeeded()
        }

        static func row(_ time: String, _ event: String, _ who: String, _ shard: String, _ sequence: String) -> String {
            func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
            return pad(time, 26) + pad(event, 8) + pad(who, 24) + pad(shard, 28) + sequence + "\n"
        }
    }
}
