import ArchiveStore
import ArgumentParser
import Foundation
import StreamModel

extension StreamVaultCommand {
    struct Replays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replays",
            abstract: "List named replays (replay --name): progress and state.",
            discussion: """
                State: running (a process is replaying), interrupted (its process is gone: killed, crashed; \
                continue it with `streamvault replay --resume NAME`), failed (stopped on an error; fix it and \
                resume), completed.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print one JSON object per replay.")
        var json = false

        func validate() throws { try global.validateLogLevel() }

        func run() async throws {
            let catalog = try global.openCatalog(create: false)
            let replays = try await catalog.asyncReader.replays()
            if json {
                for replay in replays {
                    var object: [String: Any] = [
                        "name": replay.name,
                        "stream": replay.stream,
                        "state": Self.state(replay),
                        "recordsDelivered": replay.recordsDelivered,
                        "recordsFailed": replay.recordsFailed,
                        "recordsFiltered": replay.recordsFiltered,
                        "invocations": replay.invocations,
                        "retries": replay.retries,
                        "createdAt": ISO8601.format(millis: replay.createdAt),
                        "updatedAt": ISO8601.format(millis: replay.updatedAt),
                    ]
                    if let planned = replay.plannedRecords { object["plannedRecords"] = planned }
                    if let shard = replay.checkpointShard, let sequence = replay.checkpointSequence {
                        object["checkpoint"] = ["shardId": shard, "sequenceNumber": sequence.text]
                    }
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    FileHandle.standardOutput.write(data + Data("\n".utf8))
                }
                return
            }
            guard !replays.isEmpty else {
                print("No named replays (start one with `streamvault replay ... --name NAME`).")
                return
            }
            print("NAME                 STREAM       STATE         DELIVERED     FAILED  PROGRESS  UPDATED")
            for replay in replays {
                var progress = "-"
                if let planned = replay.plannedRecords, planned > 0 {
                    let done = replay.recordsDelivered + replay.recordsFailed + replay.recordsFiltered
                    progress = String(format: "%.1f%%", min(100, Double(done) * 100 / Double(planned)))
                }
                if replay.state == .completed { progress = "100%" }
                print(
                    [
                        replay.name.padding(toLength: 20, withPad: " ", startingAt: 0),
                        replay.stream.padding(toLength: 12, withPad: " ", startingAt: 0),
                        Self.state(replay).padding(toLength: 13, withPad: " ", startingAt: 0),
                        Format.count(replay.recordsDelivered).leftPadded(9),
                        Format.count(replay.recordsFailed).leftPadded(10),
                        progress.leftPadded(9),
                        " " + ISO8601.format(millis: replay.updatedAt),
                    ].joined(separator: " ")
                )
            }
        }

        /// The stored state, with `running` read as `interrupted` when its process is gone.
        static func state(_ replay: NamedReplay) -> String {
            if replay.state == .running, let pid = replay.pid, kill(pid, 0) == 0 { return "running" }
            return replay.state == .running ? "interrupted" : replay.state.rawValue
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
