import ArchiveStore
import ArgumentParser
import Foundation
import StreamModel

extension StreamVaultCommand {
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Delete sealed segments whose every record is older than the stream's retention and that no hold overlaps.",
            discussion: """
                Whole segments only, under each stream's writer lock (a running `archive` prunes its own stream \
                hourly, so prune other streams here). Each deletion is entered in the audit log with the cutoff and \
                the holds checked; the segment's catalog rows (blocks, event-id dedupe rows) and its file go together, \
                and a crash in between is finished on the stream's next open. Refuses to delete anything while the \
                audit log is damaged (its holds cannot be trusted). docs/AUDIT.md.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this stream (repeatable; default: all).", valueName: "name"))
        var stream: [String] = []

        @Flag(help: "List what would be deleted; delete nothing.")
        var dryRun = false

        @Option(help: .hidden)
        var now: String?

        func validate() throws {
            try global.validateLogLevel()
            if let now, ISO8601.parseMillis(now) == nil { throw ValidationError("--now must be a time, e.g. 2027-01-01T00:00:00Z.") }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false, write: true)
            let now = now.flatMap(ISO8601.parseMillis) ?? WallClock.system.nowMillis()
            let names = try stream.isEmpty ? catalog.streams().map(\.name) : stream.map { try catalog.requireStream($0).name }
            for name in names {
                let writer: StreamWriter
                do {
                    writer = try StreamWriter(layout: global.layout, catalog: catalog, streamName: name)
                } catch let error as ArchiveError where error.code == .locked {
                    // A running `archive` holds the lock and prunes the stream itself, hourly.
                    printError("\(name): skipped: \(error.message) A running `archive` prunes its own stream hourly.")
                    continue
                }
                let report = try writer.prune(now: now, dryRun: dryRun)
                guard let cutoff = report.cutoff else {
                    print("\(name): records kept forever; nothing to prune")
                    continue
                }
                let verb = dryRun ? "would delete" : "deleted"
                print(
                    "\(name): retention \(report.retentionDays == 1 ? "1 day" : "\(report.retentionDays) days"), cutoff \(ISO8601.format(millis: cutoff)): \(verb) \(report.deleted.count) segments "
                        + "(\(Format.count(Int(report.deletedRecords))) records, \(Format.bytes(report.freedBytes)))"
                )
                for segment in report.deleted { print("  \(verb) \(segment.fileName)") }
                for (segment, holds) in report.held {
                    print("  kept \(segment.fileName): held by \(holds.map { "hold \($0)" }.joined(separator: ", "))")
                }
            }
        }
    }
}
