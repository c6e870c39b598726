import ArchiveStore
import ArgumentParser
import Foundation
import StreamModel

extension StreamVaultCommand {
    struct RetentionGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retention",
            abstract: "Set or show how long each stream's records are kept (default 365 days).",
            discussion: """
                `streamvault prune` (and `archive`, hourly) deletes whole sealed segments whose every record is older \
                than the retention and that no hold overlaps. Each change is entered in the audit log (docs/AUDIT.md).
                """,
            subcommands: [SetDays.self, Show.self]
        )
    }
}

extension StreamVaultCommand.RetentionGroup {
    struct SetDays: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a stream's retention.",
            discussion: "Example: streamvault retention set --stream orders --days 365   (or --days forever)"
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The stream.", valueName: "name"))
        var stream: String

        @Option(help: ArgumentHelp("Days to keep records, 1-3650, or 'forever'.", valueName: "days"))
        var days: String

        func validate() throws {
            try global.validateLogLevel()
            _ = try parsedDays()
        }

        /// Days, 0 for forever.
        func parsedDays() throws -> Int {
            if days == "forever" { return 0 }
            guard let n = Int(days), RetentionPlan.dayRange.contains(n) else {
                throw ValidationError("--days must be a whole number of days from 1 to 3650, or 'forever' (got '\(days)').")
            }
            return n
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false, write: true)
            let days = try parsedDays()
            try Retention(layout: global.layout, catalog: catalog).setRetention(stream: stream, days: days, now: WallClock.system.nowMillis())
            print("\(stream): records kept \(days == 0 ? "forever" : days == 1 ? "1 day" : "\(days) days")")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show each stream's retention and the oldest record kept.")

        @OptionGroup var global: GlobalOptions

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            for setting in try Retention(layout: global.layout, catalog: catalog).settings() {
                let stream = try catalog.requireStream(setting.stream)
                let oldest = try catalog.segments(streamID: stream.id).compactMap(\.minTime).min()
                print(
                    "\(setting.stream)\t\(setting.days == 0 ? "forever" : setting.days == 1 ? "1 day" : "\(setting.days) days")\toldest record "
                        + (oldest.map { ISO8601.format(millis: $0) } ?? "-")
                )
            }
        }
    }
}
