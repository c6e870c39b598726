import ArchiveStore
import ArgumentParser
import Foundation
import StreamModel

extension StreamVaultCommand {
    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "repair",
            abstract: "Unblock a stream whose open segment was truncated outside StreamVault.",
            discussion: """
                Cuts the open segment back to its last intact block, removes the catalog rows of the blocks past \
                the cut, recomputes counts and checkpoints, and records the loss as a gap (`streamvault ls` shows \
                it). Prints the records and sequence ranges lost. If you have a copy of the segment file, restore \
                it instead: nothing is lost then. After a repair, an archiver reads the lost range again if the \
                source still has it; for files, ingest them again.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The stream to repair.", valueName: "name"))
        var stream: String

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false, write: true)
            let outcome = try StreamRepair.repair(
                layout: global.layout,
                catalog: catalog,
                streamName: stream,
                now: WallClock.system.nowMillis()
            )
            guard let cut = outcome.cut else {
                print("\(stream): nothing to repair (the open segment is as long as the catalog says). `streamvault verify` checks for other damage.")
                return
            }
            print(
                "\(stream): \(outcome.segmentPath) was \(cut.fileBytes) bytes of \(cut.committedBytes) committed; cut back to its last intact block at byte \(cut.cutTo)."
            )
            if outcome.losses.isEmpty { print("\(stream): no committed block was lost.") }
            for loss in outcome.losses {
                print(
                    "\(stream): LOST \(Format.count(Int(loss.records))) records of shard \(loss.shard), sequence \(loss.firstSequence.text)..\(loss.lastSequence.text) "
                        + "(\(loss.blocks) blocks); recorded as a gap."
                )
            }
            print("\(stream): the stream can be written again.")
        }
    }
}
