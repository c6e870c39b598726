import ArchiveStore
import Foundation
import Replay
import StreamModel
import Testing

struct ItemHistoryTests {
    @Test(arguments: ItemHistory.ImageFormat.allCases)
    func listsEveryChangeInOrderWithWhoAndImages(_ images: ItemHistory.ImageFormat) throws {
        let archive = try SelectionArchive()
        let ttlLine = try #require(try archive.lines.first { try ParsedRecord($0).isTTLDelete })
        let keys = try ParsedRecord(ttlLine).keys
        let key = try ItemKey(parsing: ["pk=\(try #require(keys["pk"]?["S"]))", "sk=\(try #require(keys["sk"]?["S"]))"])
        let expected = try archive.lines.filter { try ParsedRecord($0).keys == keys }
        let history = try ItemHistory(catalog: archive.catalog, layout: archive.layout, stream: "orders", key: key, images: images)
        var changes: [ItemChange] = []
        try history.run { changes.append($0) }
        #expect(changes.map(\.eventName) == ["INSERT", "MODIFY", "REMOVE"])
        #expect(changes.count == expected.count)
        #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.timeMillis <= $1.timeMillis })
        #expect(changes.last?.who == .ttl && changes.dropLast().allSatisfy { $0.who == .unknown })
        #expect(Set(changes.map(\.sequenceNumber)) == Set(expected.map(\.sequenceNumber)))
        let insert = try #require(changes.first?.newImage)
        #expect(insert.contains(images == .plain ? #""status":"PENDING""# : #""status":{"S":"PENDING"}"#))
        #expect(changes.first?.oldImage == nil && changes.last?.newImage == nil && changes.last?.oldImage != nil)
        #expect(history.statistics.blocksSkipped > 0)

        // The JSON line is JSON, and says the same.
        let last = try #require(changes.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.json.utf8)) as? [String: Any])
        #expect(object["who"] as? String == "TTL" && object["ttlDelete"] as? Bool == true && object["eventName"] as? String == "REMOVE")
        #expect((object["keys"] as? [String: Any])?.count == 2)
    }

    @Test func aTimeRangeNarrowsTheHistory() throws {
        let archive = try SelectionArchive()
        let keys = try ParsedRecord(archive.lines[40]).keys
        let key = try ItemKey(parsing: ["pk=\(try #require(keys["pk"]?["S"]))", "sk=\(try #require(keys["sk"]?["S"]))"])
        var all: [ItemChange] = []
        try ItemHistory(catalog: archive.catalog, layout: archive.layout, stream: "orders", key: key).run { all.append($0) }
        let second = try #require(all.dropFirst().first)
        var later: [ItemChange] = []
        try ItemHistory(catalog: archive.catalog, layout: archive.layout, stream: "orders", key: key, from: second.timeMillis).run {
            later.append($0)
        }
        #expect(later == all.filter { $0.timeMillis >= second.timeMillis })
    }
}
