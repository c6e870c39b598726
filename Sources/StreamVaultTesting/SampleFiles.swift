public import Foundation
import SampleData

/// Writes generated Orders records to files for tests.
public enum SampleFiles {
    /// Writes `records` records over `shards` shards; returns one file per shard (path, shard id, lines).
    public static func perShard(
        in directory: String,
        records: Int,
        shards: Int = 2,
        seed: UInt64 = 7
    ) throws -> [(path: String, shard: String, lines: [String])] {
        var lines = Array(repeating: [String](), count: shards)
        OrdersGenerator(.init(records: records, shards: shards, seed: seed)).generate { shard, line in
            lines[shard].append(String(decoding: line, as: UTF8.self))
        }
        return try (0..<shards).map { i in
            let id = OrdersGenerator.shardID(i)
            let path = directory + "/\(id).ndjson"
            try (lines[i].joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return (path, id, lines[i])
        }
    }

    /// All records interleaved, one per line.
    public static func lines(
        records: Int,
        shards: Int = 2,
        seed: UInt64 = 7,
        startSeconds: Int64 = 1_767_225_600,
        spanSeconds: Int64 = 86_400
    ) -> [String] {
        var out: [String] = []
        OrdersGenerator(.init(records: records, shards: shards, startSeconds: startSeconds, spanSeconds: spanSeconds, seed: seed)).generate {
            _,
            line in
            out.append(String(decoding: line, as: UTF8.self))
        }
        return out
    }
}
