import ArchiveStore
import ArgumentParser
import Foundation
import StreamModel

extension StreamVaultCommand {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Records, bytes (raw and compressed), compression ratio and time range per stream.",
            discussion: "Reads the catalog only. --json prints one object per stream for scripts."
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this stream.", valueName: "name"))
        var stream: String?

        @Flag(help: "Print JSON (an array of objects) instead of a table.")
        var json = false

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            let streams = try stream.map { [try catalog.requireStream($0)] } ?? catalog.streams()
            var rows: [[String: Any]] = []
            for s in streams {
                let t = try catalog.totals(streamID: s.id)
                rows.append([
                    "stream": s.name, "records": t.records, "rawBytes": t.rawBytes, "storedBytes": t.storedBytes,
                    "ratio": t.storedBytes > 0 ? (Double(t.rawBytes) / Double(t.storedBytes) * 100).rounded() / 100 : 0,
                    "segments": t.segments, "blocks": t.blocks, "shards": t.shards, "gaps": t.gaps,
                    "from": t.minTime.map { ISO8601.format(millis: $0) } ?? NSNull(), "to": t.maxTime.map { ISO8601.format(millis: $0) } ?? NSNull(),
                ])
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print(
                "stream".padding(toLength: 16, withPad: " ", startingAt: 0) + "records".leftPad(12) + "raw".leftPad(12) + "stored".leftPad(12)
                    + "ratio".leftPad(8)
                    + "shards".leftPad(8) + "gaps".leftPad(6) + "  time range"
            )
            for (s, row) in zip(streams, rows) {
                let t = try catalog.totals(streamID: s.id)
                var line = s.name.padding(toLength: 16, withPad: " ", startingAt: 0) + Format.count(Int(t.records)).leftPad(12)
                line +=
                    Format.bytes(t.rawBytes).leftPad(12) + Format.bytes(t.storedBytes).leftPad(12)
                    + Format.ratio(raw: t.rawBytes, stored: t.storedBytes).leftPad(8)
                line += String(t.shards).leftPad(8) + String(t.gaps).leftPad(6)
                line += "  \(row["from"] as? String ?? "-") .. \(row["to"] as? String ?? "-")"
                print(line)
            }
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
