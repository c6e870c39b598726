import ArchiveStore
import Foundation
import StreamVaultTesting
import Testing

struct KeyedSpillTests {
    @Test func lastWriteWinsRemovesDeleteAndValuesComeInKeyOrder() throws {
        let directory = try TemporaryDirectory("spill")
        let spill = try KeyedSpill(path: directory.file("scratch.sqlite"))
        defer { spill.close() }
        func set(_ key: String, _ value: String?) throws {
            try Array(key.utf8).withUnsafeBufferPointer { k in
                if let value {
                    try Array(value.utf8).withUnsafeBufferPointer { try spill.set(key: k, value: $0) }
                } else {
                    try spill.set(key: k, value: nil)
                }
            }
        }
        // More writes than one batch, so some are applied in earlier transactions than the ones that replace them.
        for i in 0..<(KeyedSpill.batchSize + 500) { try set("k\(i % 700)", "v\(i)") }
        try set("k5", nil)
        try set("k6", nil)
        try set("k6", "back")
        var values: [String] = []
        try spill.forEachValue { values.append(String(decoding: $0, as: UTF8.self)) }
        let keys = (0..<700).filter { $0 != 5 }.map { "k\($0)" }.sorted()
        let lastWrite = Dictionary(
            uniqueKeysWithValues: (0..<700).map { k in ("k\(k)", "v\(((KeyedSpill.batchSize + 500 - 1 - k) / 700) * 700 + k)") }
        )
        #expect(values == keys.map { $0 == "k6" ? "back" : lastWrite[$0]! })
        #expect(spill.writesApplied == KeyedSpill.batchSize + 503)
        spill.close()
        #expect(!FileManager.default.fileExists(atPath: spill.path))
    }
}
