import ArchiveStore
import ArgumentParser

extension StreamVaultCommand {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the catalog, every block's zstd checksum against it, and the audit chain; exit 1 on damage.",
            discussion: """
                First the catalog itself: SQLite's integrity check (indexes against tables), every row readable \
                and in range, block totals against segment and shard totals and checkpoints, blocks inside their \
                segment's committed bytes, the widest block span, and each index's entries against a table scan. \
                Then the files: every committed block (header, zstd content checksum, record count, sequence and \
                time ranges against the catalog), blocks contiguous, sealed segments' SHA-256, and no segment file \
                missing or unknown to the catalog. Then the audit log (storage/audit.ndjson): its hash chain, \
                naming the first broken link (entry, line, what differs), each sealed segment's SHA-256 against \
                its seal entry, and seal entries whose segment vanished without a retention deletion. Verify reads \
                every byte, so --deep changes nothing (docs/AUDIT.md). Each problem names the table and row, \
                or the stream, segment file and block offset. When segments go to a bucket (storage/bucket.json, \
                written by `archive --segments` and `catalog sync`), each uploaded segment's copy there is checked \
                too: present, sealed length, upload ETag, sealed SHA-256 in its metadata, index object present; \
                --deep downloads each copy and hashes it (docs/SCALING.md). Read-only: works on a read-only copy (it only keeps its outcome in last-verify.json for the status page of \
                `serve`, where it can). What to do about each problem: \
                docs/OPERATIONS.md.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this stream (repeatable).", valueName: "name"))
        var stream: [String] = []

        @Flag(
            help:
                "Local files are always read in full; with a bucket, --deep also downloads every uploaded copy and checks its SHA-256."
        )
        var deep = false

        func validate() throws { try global.validateLogLevel() }

        func run() async throws {
            let catalog = try global.openCatalog(create: false)
            let verifier = ArchiveVerifier(layout: global.layout, catalog: catalog)
            var report = try verifier.verify(streams: stream)
            if let remote = try RemoteBlockSource.configured(for: global.layout) {
                let outcome = try await RemoteVerifier(catalog: catalog, source: remote).verify(streams: stream, deep: deep)
                report.findings += outcome.findings
                printError("checked \(outcome.checked) bucket copies in \(remote.location)\(deep ? " (downloaded and hashed)" : "")")
            }
            for finding in report.findings { print(finding) }
            let damaged = report.findings.filter(\.isDamage).count
            // For the status page; a read-only copy of an archive is verified without it.
            try? VerifyRecord(finishedAt: WallClock.system.nowMillis(), streams: stream, report: report).save(to: global.layout)
            print(
                "verified \(report.segments) segments, \(report.blocks) blocks, \(Format.count(report.records)) records, \(Format.bytes(report.storedBytes)): "
                    + (damaged == 0 ? "OK" : damaged == 1 ? "1 problem" : "\(damaged) problems")
            )
            if damaged > 0 { throw ExitCode(1) }
        }
    }
}
