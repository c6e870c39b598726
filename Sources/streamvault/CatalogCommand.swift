import ArchiveStore
import ArgumentParser
import Foundation

extension StreamVaultCommand {
    struct CatalogGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catalog",
            abstract: "Maintain the catalog: rebuild it from the segment files, sync it from a bucket, or migrate it.",
            subcommands: [
                Rebuild.self,
                Migrate.self,
                Sync.self,
                Upload.self,
            ]
        )
    }
}

extension StreamVaultCommand.CatalogGroup {
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild",
            abstract: "Rebuild catalog.sqlite from the segment files alone (after the catalog was lost or damaged).",
            discussion: """
                Reads every segment file under --storage: the block headers give streams, shards, record counts, \
                sequence and time ranges; blocks are decompressed (checksums verified) to recover the eventIDs of \
                event-id shards. Checkpoints become the highest archived sequence number per shard; every segment \
                but the newest of each stream is sealed. Replays of the rebuilt catalog return what the original \
                returned. Gaps, shard parents and the streams' AWS details are not in the files: they are lost \
                (the archiver fills in the AWS details again on its next run).

                No writer may run meanwhile (the streams' writer locks are taken). An existing catalog is an \
                error unless --force, which moves it aside to catalog.sqlite.replaced-<time>.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Replace an existing catalog (it is moved aside, not deleted).")
        var force = false

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let started = Date()
            let rebuilder = CatalogRebuilder(layout: global.layout)
            var lastStream = ""
            let summary = try rebuilder.rebuild(force: force, now: WallClock.system.nowMillis()) { p in
                if p.stream != lastStream {
                    lastStream = p.stream
                    printError("rebuilding stream \(p.stream): \(p.segments) segments")
                }
                if p.segment % 10 == 0 || p.segment == p.segments {
                    printError("  \(p.stream): segment \(p.segment) of \(p.segments), \(Format.count(p.records)) records")
                }
            }
            for note in summary.notes { printError("note: \(note)") }
            for problem in summary.problems { printError("DAMAGED: \(problem)") }
            if let previous = summary.previousCatalog { printError("The previous catalog was moved to \(previous).") }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            printError(
                "Rebuilt \(global.layout.catalogPath): \(summary.streams) streams, \(summary.segments) segments, \(summary.blocks) blocks, "
                    + "\(Format.count(summary.records)) records, \(Format.count(summary.eventIDs)) event ids in \(seconds) s. "
                    + "Gaps and shard parents are not in the segment files and were not restored."
            )
            if !summary.problems.isEmpty {
                printError("Some data could not be indexed (above); run `streamvault verify` and restore the named files from a backup.")
                throw ExitCode(1)
            }
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Upgrade the catalog to this version's schema (readers never do; writers do it on open).",
            discussion: "Readers (ls, stats, verify, replay) open the catalog read-only and refuse a catalog that needs upgrading."
        )

        @OptionGroup var global: GlobalOptions

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            _ = try global.openCatalog(create: false, write: true)
            printError("\(global.layout.catalogPath) is up to date.")
        }
    }
}
