import ArchiveStore
import ArgumentParser

extension StreamVaultCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every block's zstd checksum and the catalog against the files; exit 1 on damage.",
            discussion: """
                Reads every committed block (header, zstd content checksum, record count, sequence and time \
                ranges against the catalog), checks that blocks are contiguous, that sealed segments still have \
                their recorded SHA-256, and that no segment file is missing or unknown to the catalog. \
                Each problem names the stream, segment file and block offset.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this stream (repeatable).", valueName: "name"))
        var stream: [String] = []

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            let verifier = ArchiveVerifier(layout: global.layout, catalog: catalog)
            let report = try verifier.verify(streams: stream)
            for finding in report.findings { print(finding) }
            let damaged = report.findings.filter(\.isDamage).count
            print(
                "verified \(report.segments) segments, \(report.blocks) blocks, \(Format.count(report.records)) records, \(Format.bytes(report.storedBytes)): "
                    + (damaged == 0 ? "OK" : "\(damaged) problems")
            )
            if damaged > 0 { throw ExitCode(1) }
        }
    }
}
