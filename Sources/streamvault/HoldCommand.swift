import ArchiveStore
import ArgumentParser
import Foundation
import StreamModel

extension StreamVaultCommand {
    struct HoldGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold",
            abstract: "Legal holds: time ranges of a stream that retention must not delete.",
            discussion: """
                A hold keeps every segment with a record in [--from, --to], however old. Holds are entered in the \
                audit log (their id is the number of that entry) and survive `catalog rebuild`.

                Examples:
                  streamvault hold add --stream orders --from 2026-01-01 --to 2026-02-01 --reason "case 4711"
                  streamvault hold ls
                  streamvault hold rm 17
                """,
            subcommands: [Add.self, List.self, Remove.self]
        )
    }
}

extension StreamVaultCommand.HoldGroup {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a hold; prints its id.")

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The stream.", valueName: "name"))
        var stream: String

        @Option(help: ArgumentHelp("Start of the held range (inclusive), e.g. 2026-01-01 or 2026-01-01T06:00:00Z.", valueName: "time"))
        var from: String

        @Option(help: ArgumentHelp("End of the held range (inclusive).", valueName: "time"))
        var to: String

        @Option(help: ArgumentHelp("Why (a case number, a ticket): kept in the audit log.", valueName: "text"))
        var reason: String

        func validate() throws {
            try global.validateLogLevel()
            for (option, value) in [("--from", from), ("--to", to)] where ISO8601.parseMillis(value) == nil {
                throw ValidationError("\(option) '\(value)' is not a time; use RFC 3339, e.g. 2026-01-01T00:00:00Z, or a date.")
            }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false, write: true)
            let hold = try Retention(layout: global.layout, catalog: catalog).addHold(
                stream: stream,
                from: ISO8601.parseMillis(from) ?? 0,
                to: ISO8601.parseMillis(to) ?? 0,
                reason: reason,
                now: WallClock.system.nowMillis()
            )
            print(hold.id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the holds.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "One JSON object per hold (id, stream, from, to, reason, created).")
        var json = false

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            for hold in try Retention(layout: global.layout, catalog: catalog).holds() {
                let from = ISO8601.format(millis: hold.from)
                let to = ISO8601.format(millis: hold.to)
                let created = ISO8601.format(millis: hold.createdAt)
                if json {
                    let object: [String: Any] = [
                        "id": hold.id, "stream": hold.stream, "from": from, "to": to, "reason": hold.reason, "created": created,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("\(hold.id)\t\(hold.stream)\t\(from)\t\(to)\t\(hold.reason)")
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a hold by id.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The hold's id (from `hold add` or `hold ls`).", valueName: "id"))
        var id: Int64

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false, write: true)
            let hold = try Retention(layout: global.layout, catalog: catalog).removeHold(id: id, now: WallClock.system.nowMillis())
            print("removed hold \(hold.id) on \(hold.stream) (\(hold.reason))")
        }
    }
}
