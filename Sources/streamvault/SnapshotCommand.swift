public import ArchiveExport
import ArchiveStore
public import ArgumentParser
import Foundation
import Replay

extension SnapshotRequest.Layout: ExpressibleByArgument {}

extension StreamVaultCommand {
    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot",
            abstract: "Rebuild a table's items as of a moment from the archived images, as DynamoDB JSON.",
            discussion: """
                Every archived change at or before --at is applied in stream order: the last NewImage per key \
                wins, a REMOVE deletes. The items come out as {"Item":{...}} lines (DynamoDB JSON, gzip by \
                default), with manifest.json and SHA256SUMS (`streamvault verify-export DIR` checks them). \
                --layout dynamodb-export writes DynamoDB's export-to-S3 layout (AWSDynamoDB/<exportId>/...), \
                which DynamoDB's Import from S3 accepts: upload it and import the data/ prefix.

                The snapshot is refused when the archive cannot prove it complete: a gap before --at in any \
                shard, a stream whose view type keeps no new images (KEYS_ONLY, OLD_IMAGE), or a shard whose \
                parent is not archived (archiving began after the stream did); exit status 65 then, nothing is \
                written. --allow-gaps writes it anyway and records why in manifest.json. Rules: docs/EXPORT.md.

                Examples:
                  streamvault snapshot --stream orders --at 2026-03-01T12:00:00Z --out /exports/orders-0301
                  streamvault snapshot --stream orders --at 2026-03-01T12:00:00Z --layout dynamodb-export --out s3-ready
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Stream whose table to rebuild.", valueName: "name"))
        var stream: String

        @Option(help: ArgumentHelp("The moment (ISO 8601 or epoch seconds); changes at or before it count.", valueName: "time"))
        var at: String

        @Option(help: ArgumentHelp("The snapshot's directory (must not exist, or be empty).", valueName: "dir"))
        var out: String

        @Option(help: "File layout.")
        var layout: SnapshotRequest.Layout = .streamvault

        @Option(help: ArgumentHelp("Data file compression: gzip or zstd.", valueName: "gzip|zstd"))
        var compression: String = "gzip"

        @Flag(help: "Write the snapshot even where the archive cannot prove it complete (the reasons go into manifest.json).")
        var allowGaps = false

        func validate() throws {
            try global.validateLogLevel()
            _ = try Replay.time("--at", at)
            guard compression == "gzip" || compression == "zstd" else {
                throw ValidationError("--compression must be gzip or zstd (got '\(compression)').")
            }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            guard let millis = try Replay.time("--at", at) else { throw ValidationError("--at needs a time.") }
            let request = SnapshotRequest(
                stream: stream,
                at: millis,
                layout: layout,
                compression: compression == "zstd" ? .zstd : .gzip,
                allowGaps: allowGaps,
                toolVersion: StreamVaultCommand.configuration.version,
                auditHead: try AuditLog.currentHead(layout: global.layout)
            )
            let writer = SnapshotWriter(
                catalog: catalog,
                layout: global.layout,
                request: request,
                progress: { progress in
                    printError("snapshot: \(Format.count(progress.changes)) changes applied, \(Format.count(progress.items)) items written")
                }
            )
            let manifest: ExportManifest
            do {
                manifest = try writer.run(out: out)
            } catch let error as ExportError where error.code == .incomplete {
                printError("snapshot: \(error.message)")
                throw ExitCode(Replay.damageExitStatus)
            } catch let error as ReplayError where error.code == .damagedBlock {
                printError("snapshot: \(error.message) Nothing was written to '\(out)'.")
                throw ExitCode(Replay.damageExitStatus)
            }
            print(
                "snapshot of \(stream) at \(manifest.snapshotAt ?? at): \(Format.count(manifest.recordCount)) items in \(manifest.files.count) files in \(out)"
            )
            for reason in manifest.incompleteBecause { printError("snapshot: written with --allow-gaps although \(reason)") }
            try AuditLog(layout: global.layout).recordExport(
                stream: stream,
                directory: out,
                layout: "snapshot-" + layout.rawValue,
                from: nil,
                to: millis,
                records: manifest.recordCount,
                files: manifest.files.count
            )
        }
    }
}
