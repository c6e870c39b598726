import ArchiveStore
import ArgumentParser
import StreamModel

extension StreamVaultCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List streams, their shards (checkpoints, gaps) and segments.",
            discussion: """
                Examples:
                  streamvault ls                      # every stream with its shards and segments
                  streamvault ls --stream orders      # one stream
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only this stream.", valueName: "name"))
        var stream: String?

        func validate() throws { try global.validateLogLevel() }

        func run() throws {
            let catalog = try global.openCatalog(create: false)
            let streams = try stream.map { [try catalog.requireStream($0)] } ?? catalog.streams()
            if streams.isEmpty { print("The archive at \(global.layout.root) has no streams yet.") }
            for s in streams {
                var source = s.source.rawValue
                if let arn = s.arn { source += " " + arn }
                print("stream \(s.name)  (\(source); retention \(s.retentionDays) days)")
                let gaps = try catalog.gaps(streamID: s.id)
                for shard in try catalog.shards(streamID: s.id) {
                    var line = "  shard \(shard.shardID)  records \(Format.count(Int(shard.recordCount)))"
                    line += "  checkpoint \(shard.checkpoint?.text ?? "-")  dedupe \(shard.dedupe.rawValue)"
                    if let parent = shard.parentShardID { line += "  parent \(parent)" }
                    if shard.closedAt != nil { line += "  closed" }
                    print(line)
                }
                for gap in gaps {
                    print(
                        "  GAP in \(gap.shardID) after \(gap.afterSequence?.text ?? "the start") at \(ISO8601.format(millis: gap.detectedAt)): \(gap.reason)"
                    )
                }
                for seg in try catalog.segments(streamID: s.id) {
                    var line =
                        "  segment \(seg.fileName)  \(seg.state.rawValue)  blocks \(seg.blockCount)  records \(Format.count(Int(seg.recordCount)))"
                    line += "  \(Format.bytes(seg.committedBytes))"
                    if let lo = seg.minTime, let hi = seg.maxTime { line += "  \(ISO8601.format(millis: lo)) .. \(ISO8601.format(millis: hi))" }
                    print(line)
                }
            }
        }
    }
}
