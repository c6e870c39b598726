import ArchiveExport
import ArgumentParser

extension StreamVaultCommand {
    struct VerifyExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-export",
            abstract: "Check an export offline (no archive needed): digests, manifest, record counts and order; exit 1 on any problem.",
            discussion: """
                Checks SHA256SUMS against every file (and finds files added or removed since), manifest.json \
                against SHA256SUMS and the file sizes, then decompresses each data file: its records are counted \
                against the manifest, per file and per shard, and each shard's sequence numbers must rise from the \
                manifest's first to its last. Every problem names the file and what differs. `sha256sum -c \
                SHA256SUMS` in the export directory checks the digests without StreamVault.
                """
        )

        @Argument(help: ArgumentHelp("The export's directory.", valueName: "dir"))
        var directory: String

        func run() throws {
            let result = try ExportVerifier.verify(directory: directory)
            for problem in result.problems { print(problem) }
            let count = result.problems.count
            print(
                "verified \(result.filesChecked) files, \(Format.count(result.recordsChecked)) records: "
                    + (count == 0 ? "OK" : count == 1 ? "1 problem" : "\(count) problems")
            )
            if count > 0 { throw ExitCode(1) }
        }
    }
}
