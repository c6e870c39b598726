public import ArchiveExport
import ArchiveStore
public import ArgumentParser
import Foundation
import Replay
import StreamModel

extension ExportLayout: ExpressibleByArgument {}

extension StreamVaultCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a stream's records in a time range to a verifiable export: data files, manifest.json, SHA256SUMS.",
            discussion: """
                The export is a new directory (--out must not exist or be empty), written into a hidden sibling \
                and renamed into place once every file is synced: a crash leaves no half export. Data files hold \
                one shard each, in sequence order, NDJSON compressed with zstd (--no-compress: plain). \
                manifest.json names the stream, range, filters, record counts per file and shard, the first and \
                last sequence numbers per shard, the gaps the archive knows of inside the range, and each file's \
                SHA-256; `sha256sum -c SHA256SUMS` checks every file without StreamVault, `streamvault \
                verify-export DIR` checks the records too. Fields and layouts: docs/EXPORT.md.

                --layout dynamodb-incremental writes DynamoDB's incremental export to S3 instead \
                (AWSDynamoDB/<exportId>/manifest-summary.json, manifest-files.json, data/*.json.gz with \
                Metadata.WriteTimestampMicros, Keys, OldImage, NewImage per change), which Athena/Glue \
                definitions for those exports read.

                Examples:
                  streamvault export --stream orders --from 2026-01-01 --to 2026-02-01 --out /exports/orders-2026-01
                  streamvault export --stream orders --from 2026-01-01 --to 2026-01-02 --format plain --no-compress --out day
                  streamvault export --stream orders --from 2026-01-01 --to 2026-01-02 --layout dynamodb-incremental --out inc
                  streamvault export --stream orders --from 2026-01-01 --to 2027-01-01 --key pk=CUSTOMER#10001 --out customer-10001
                  streamvault export --stream orders --from 2026-01-01 --to 2026-02-01 --only-ttl-deletes --format plain --out ttl

                --key, --filter (Lambda FilterCriteria), --only-ttl-deletes and --exclude-ttl-deletes select records as in \
                replay (docs/SELECTION.md); the manifest's `filters` names them.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Stream to export.", valueName: "name"))
        var stream: String

        @Option(help: ArgumentHelp("Earliest event time, inclusive (ISO 8601 or epoch seconds).", valueName: "time"))
        var from: String

        @Option(help: ArgumentHelp("Latest event time, exclusive.", valueName: "time"))
        var to: String

        @Option(help: ArgumentHelp("The export's directory (must not exist, or be empty).", valueName: "dir"))
        var out: String

        @Option(help: "Record shape of the data lines (--layout streamvault).")
        var format: RecordFormat = .native

        @Option(help: "File layout.")
        var layout: ExportLayout = .streamvault

        @Flag(help: "Write plain NDJSON data files instead of zstd.")
        var noCompress = false

        @Option(name: .customLong("event-name"), parsing: .upToNextOption, help: "Only these events (default: all).")
        var eventName: [EventName] = []

        @OptionGroup var selection: SelectionOptions

        @Option(help: ArgumentHelp("The most records in one data file.", valueName: "n"))
        var maxFileRecords = 1_000_000

        func validate() throws {
            try global.validateLogLevel()
            let fromMillis = try Replay.time("--from", from)
            let toMillis = try Replay.time("--to", to)
            if let fromMillis, let toMillis, fromMillis > toMillis {
                throw ValidationError("--from '\(from)' is after --to '\(to)': pass an earlier --from or a later --to.")
            }
            guard maxFileRecords >= 1 else { throw ValidationError("--max-file-records must be at least 1 (got \(maxFileRecords)).") }
            if layout == .dynamodbIncremental && format != .native {
                throw ValidationError("--layout dynamodb-incremental writes DynamoDB JSON change lines: leave out --format.")
            }
            if layout == .dynamodbIncremental && noCompress {
                throw ValidationError("--layout dynamodb-incremental writes gzip files, as DynamoDB does: leave out --no-compress.")
            }
        }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            let request = ExportRequest(
                stream: stream,
                from: try Replay.time("--from", from),
                to: try Replay.time("--to", to),
                format: format,
                layout: layout,
                compression: noCompress ? .none : .zstd,
                eventNames: eventName,
                maxFileRecords: maxFileRecords,
                toolVersion: StreamVaultCommand.configuration.version,
                auditHead: try AuditLog.currentHead(layout: global.layout)
            )
            let interactive = isatty(2) != 0
            let exporter = ArchiveExporter(
                catalog: catalog,
                layout: global.layout,
                request: request,
                filter: try selection.recordSelection(eventNames: []).makeFilter(),
                filterDescriptions: selection.descriptions,
                progress: { progress in
                    guard !progress.finished else { return }
                    let text = "export: \(Format.count(progress.records)) records, \(progress.files) files"
                    if interactive {
                        FileHandle.standardError.write(Data(("\r" + text).utf8))
                    } else {
                        printError(text)
                    }
                }
            )
            let manifest: ExportManifest
            do {
                manifest = try exporter.run(out: out)
            } catch let error as ReplayError where error.code == .damagedBlock {
                printError("export: \(error.message) Nothing was written to '\(out)'.")
                throw ExitCode(Replay.damageExitStatus)
            }
            if interactive && manifest.recordCount >= ArchiveExporter.progressInterval { FileHandle.standardError.write(Data("\n".utf8)) }
            try AuditLog(layout: global.layout).recordExport(
                stream: stream,
                directory: out,
                layout: layout.rawValue,
                from: request.from,
                to: request.to,
                records: manifest.recordCount,
                files: manifest.files.count
            )
            print(
                "exported \(Format.count(manifest.recordCount)) records of \(manifest.shards.count) shards into \(manifest.files.count) files in \(out)"
                    + (manifest.gaps.isEmpty ? "" : "; \(manifest.gaps.count) known gaps inside the range are listed in manifest.json")
            )
        }
    }
}
