import Testing

@testable import StreamSources

@Suite("GetRecords pacing per shard")
struct CallPacingTests {
    @Test(
        "Calls closer than the interval wait for the rest of it; later ones go at once",
        arguments: [
            // (call times in ms since the run started, expected waits in ms)
            ([0, 50, 100], [0, 150, 300]),
            ([0, 200, 450], [0, 0, 0]),
            ([1000, 1100, 1500, 1500], [0, 100, 0, 200]),
        ] as [([Int], [Int])]
    )
    func waits(calls: [Int], expected: [Int]) {
        let pacing = CallPacing(minimumInterval: .milliseconds(200))
        let waits = calls.map { pacing.wait(.milliseconds($0)).map { Int($0.components.attoseconds / 1_000_000_000_000_000) } ?? 0 }
        #expect(waits == expected)
    }

    @Test("No interval (DynamoDB Streams): never waits")
    func noInterval() {
        let pacing = CallPacing(minimumInterval: .zero)
        #expect((0..<5).allSatisfy { _ in pacing.wait(.milliseconds(10)) == nil })
    }
}
