import ArgumentParser
import Foundation
import SampleData
import StreamModel

extension StreamVaultCommand {
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sample",
            abstract: "Generate realistic DynamoDB change records (an Orders table) to try StreamVault on.",
            discussion: """
                Deterministic: the same options give the same bytes. Records are native DynamoDB Streams records \
                (NEW_AND_OLD_IMAGES: inserts, updates, TTL deletes; nested maps, lists, sets, numbers, binary), \
                about 1.2 KB each, spread evenly over --span-hours from --start.

                Examples:
                  streamvault sample --records 10000 > day.ndjson                  # all shards interleaved
                  streamvault sample --records 1000000 --shards 4 --out-dir day/   # one file per shard
                """
        )

        @Option(help: "Number of records.")
        var records = 10_000

        @Option(help: "Number of shards the records are spread over.")
        var shards = 4

        @Option(help: ArgumentHelp("Event time of the first record (ISO 8601 or epoch seconds).", valueName: "time"))
        var start = "2026-01-01T00:00:00Z"

        @Option(help: "Hours the records span.")
        var spanHours = 24

        @Option(help: "Seed of the pseudo-random choices.")
        var seed: UInt64 = 42

        @Option(help: ArgumentHelp("Write one NDJSON file per shard here (named after the shard id) instead of stdout.", valueName: "dir"))
        var outDir: String?

        func validate() throws {
            guard records >= 0, shards >= 1, spanHours >= 1 else { throw ValidationError("--records must be >= 0, --shards and --span-hours >= 1.") }
            guard ISO8601.parseMillis(start) != nil else { throw ValidationError("--start '\(start)' is not a time.") }
        }

        func run() throws {
            let startSeconds = (ISO8601.parseMillis(start) ?? 0) / 1000
            let generator = OrdersGenerator(
                .init(records: records, shards: shards, startSeconds: startSeconds, spanSeconds: Int64(spanHours) * 3600, seed: seed)
            )
            var sinks: [BufferedOutput] = []
            if let outDir {
                try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
                for i in 0..<shards {
                    let path = outDir + "/" + OrdersGenerator.shardID(i) + ".ndjson"
                    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    guard fd >= 0 else {
                        throw CLIError(code: .fileNotOpened, message: "Cannot create \(path): \(String(cString: strerror(errno))).")
                    }
                    sinks.append(BufferedOutput(fileDescriptor: fd))
                }
            } else {
                sinks = [BufferedOutput(fileDescriptor: 1)]
            }
            try generator.generate { shard, line in
                let sink = sinks[outDir == nil ? 0 : shard]
                sink.buffer.append(contentsOf: line)
                sink.buffer.append(0x0A)
                try sink.flushIfNeeded()
                if sink.isClosed { throw ExitCode.success }  // `sample | head`: the reader has what it wanted
            }
            for sink in sinks { try sink.flush() }
        }
    }
}
