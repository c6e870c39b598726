import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import SampleData
import StreamModel
import StreamVaultTesting
import Testing

@testable import ArchiveServer
@testable import ArchiveStore

@Suite("Status page")
struct StatusPageTests {
    static let day: Int64 = 86_400_000
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z, the sample data's first record

    @Test(
        "The chart spans the archived records in the retention window, in round buckets",
        arguments: [(5, 5_000), (60, 60_000), (24 * 60, 900_000), (90 * 24 * 60, 86_400_000)] as [(Int, Int64)]
    )
    func chartSpan(minutes: Int, width: Int64) {
        let last = Self.start + Int64(minutes) * 60_000
        let span = ChartSpan(minTime: Self.start + 1234, maxTime: last, retentionStart: Self.start - Self.day, now: last + 1000)
        #expect(span.bucketMillis == width)
        #expect(span.start <= Self.start + 1234)
        #expect(last < span.start + span.bucketMillis * Int64(StatusSnapshot.bucketCount), "the newest record is on the chart")
    }

    @Test("Records before the retention window are left off the chart")
    func chartStartsAtRetention() {
        let now = Self.start + 400 * Self.day
        let span = ChartSpan(minTime: Self.start, maxTime: now - Self.day, retentionStart: now - 365 * Self.day, now: now)
        #expect(span.start > Self.start)
        #expect(span.start <= now - 365 * Self.day)
    }

    @Test("The page draws one bar per non-empty bucket, one line per gap, one span per hold, and escapes text")
    func rendering() throws {
        var buckets = (0..<StatusSnapshot.bucketCount).map { TimelineBucket(start: Self.start + Int64($0) * 60_000, records: 0) }
        buckets[3].records = 10
        buckets[4].records = 250
        buckets[90].records = 1
        let gap = GapInfo(id: 1, streamID: 1, shardID: "shardId-1", afterSequence: nil, detectedAt: Self.start, reason: "TrimmedDataAccessException")
        let info = StreamInfo(
            id: 1,
            name: "orders",
            source: .file,
            arn: nil,
            region: nil,
            tableName: "Orders",
            viewType: nil,
            retentionDays: 365,
            maxBlockSpanMillis: 0,
            createdAt: Self.start
        )
        let stream = StatusSnapshot.Stream(
            info: info,
            totals: StreamTotals(
                records: 261,
                rawBytes: 300_000,
                storedBytes: 30_000,
                segments: 1,
                blocks: 3,
                shards: 2,
                gaps: 1,
                minTime: Self.start,
                maxTime: Self.start + 5_400_000
            ),
            timeline: buckets,
            bucketMillis: 60_000,
            retentionStart: Self.start - 300 * Self.day,
            gaps: [GapMark(gap: gap, time: Self.start + 3_000_000)],
            holds: [StatusSnapshot.Hold(id: "7", from: Self.start + 60_000, to: Self.start + 600_000, reason: "case <4711> & \"co\"")],
            openShards: 1
        )
        let html = StatusPage.render(StatusSnapshot(takenAt: Self.start + 7_200_000, storageRoot: "/data", streams: [stream], verify: nil))
        #expect(html.components(separatedBy: "<rect class=\"records\"").count - 1 == 3)
        #expect(html.components(separatedBy: "<line class=\"gap\"").count - 1 == 1)
        #expect(html.components(separatedBy: "<rect class=\"hold\"").count - 1 == 1)
        #expect(html.contains("case &lt;4711&gt; &amp; &quot;co&quot;"))
        #expect(!html.contains("<4711>"))
        #expect(html.contains("261 in 1 segments"))
        #expect(html.contains("never run"))
    }

    /// Renders the page of a real archive in headless Chromium and looks at the pixels: bars, the gap line and
    /// the hold span are drawn where the chart is, and an archive without gaps shows no gap colour.
    @Test(
        "Chromium renders the chart, its gap and hold marks, and the verify result",
        .enabled(if: Chromium.path != nil, "needs Debian's chromium (tools/test installs it)")
    )
    func chromium() async throws {
        let directory = try TemporaryDirectory("status-page")
        let layout = StorageLayout(root: directory.path + "/storage")
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        let catalog = try Catalog(path: layout.catalogPath)
        try Self.archive(records: 3000, stream: "orders", layout: layout, catalog: catalog)
        try Self.archive(records: 500, stream: "payments", layout: layout, catalog: catalog)
        let orders = try catalog.requireStream("orders")
        let shard = try #require(try catalog.shards(streamID: orders.id).first)
        try catalog.recordGap(
            streamID: orders.id,
            shardRowID: shard.rowID,
            afterSequence: shard.checkpoint,
            reason: "TrimmedDataAccessException",
            now: Self.start
        )
        let report = try ArchiveVerifier(layout: layout, catalog: catalog).verify()
        try VerifyRecord(finishedAt: Self.start + Self.day, streams: [], report: report).save(to: layout)

        let router = Router()
        StatusRoutes.add(
            to: router,
            catalog: catalog,
            layout: layout,
            now: { Self.start + 2 * Self.day },
            holds: { info in
                info.name == "orders"
                    ? [StatusSnapshot.Hold(id: "1", from: Self.start + 3_600_000, to: Self.start + 6 * 3_600_000, reason: "case 4711")] : []
            }
        )
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            let shot = directory.file("status.png")
            let dom = try await Chromium.run(["--dump-dom", "http://127.0.0.1:\(port)/"])
            #expect(dom.status == 0, "\(dom.stderr.suffix(800))")
            #expect(dom.stdoutText.components(separatedBy: "class=\"records\"").count - 1 > 20, "the browser's DOM holds the bars")
            #expect(dom.stdoutText.contains("Verify: <span class=\"ok\">OK</span>"))
            let rendered = try await Chromium.run(["--screenshot=\(shot)", "--window-size=1100,1500", "http://127.0.0.1:\(port)/"])
            #expect(rendered.status == 0, "\(rendered.stderr.suffix(800))")
            if let keep = ProcessInfo.processInfo.environment["STREAMVAULT_KEEP_SCREENSHOTS"] {
                try? FileManager.default.copyItem(atPath: shot, toPath: keep + "/status-page.png")
            }
            let colours = try await Self.countColours(shot)
            let bars = try #require(colours["records"])
            let gap = try #require(colours["gap"])
            let hold = try #require(colours["hold"])
            #expect(bars.count > 2000, "bars drawn: \(bars)")
            #expect(gap.count > 100, "the gap line drawn: \(gap)")
            #expect(hold.count > 500, "the hold span drawn: \(hold)")
            // The orders chart comes first: its gap and hold lie inside the x range of the bars.
            #expect(gap.minX >= bars.minX - 2 && gap.maxX <= bars.maxX + 2)
            #expect(hold.minX >= bars.minX - 2 && hold.maxX <= bars.maxX + 2)
            #expect(gap.maxY < 1500 && bars.maxX < 1100)
        }

        // The same page without the gap: no pixel of the gap colour anywhere.
        let clean = try TemporaryDirectory("status-page-clean")
        let cleanLayout = StorageLayout(root: clean.path + "/storage")
        try FileManager.default.createDirectory(atPath: cleanLayout.root, withIntermediateDirectories: true)
        let cleanCatalog = try Catalog(path: cleanLayout.catalogPath)
        try Self.archive(records: 3000, stream: "orders", layout: cleanLayout, catalog: cleanCatalog)
        let cleanRouter = Router()
        StatusRoutes.add(to: cleanRouter, catalog: cleanCatalog, layout: cleanLayout, now: { Self.start + 2 * Self.day })
        try await Application(router: cleanRouter).test(.live) { client in
            let port = try #require(client.port)
            let shot = clean.file("status.png")
            let rendered = try await Chromium.run(["--screenshot=\(shot)", "--window-size=1100,1500", "http://127.0.0.1:\(port)/"])
            #expect(rendered.status == 0, "\(rendered.stderr.suffix(800))")
            // The legend under the chart shows every colour: look at the chart only (from the tallest bar's top
            // down through the 146-pixel plot and the hold lane under it).
            let bars = try #require(try await Self.countColours(shot)["records"])
            #expect(bars.count > 2000)
            let chart = try await Self.countColours(shot, rows: bars.minY...(bars.minY + 146 + 14))
            #expect(chart["gap"]?.count == 0)
            #expect(chart["hold"]?.count == 0)
        }
    }

    /// How many pixels of a colour, and their bounding box (-1 when there are none).
    typealias PixelBox = (count: Int, minX: Int, maxX: Int, minY: Int, maxY: Int)

    /// Pixels of each of the page's colours in `png` (only in `rows`, if given): count and bounding box.
    static func countColours(_ png: String, rows: ClosedRange<Int>? = nil) async throws -> [String: PixelBox] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("count_colours.py").path
        let names = ["records": StatusPage.Colour.records, "gap": StatusPage.Colour.gap, "hold": StatusPage.Colour.hold]
        let region = rows.map { ["--rows", "\($0.lowerBound):\($0.upperBound)"] } ?? []
        let result = try await CommandRunner.runAsync("python3", [script, png] + region + names.values.map { String($0.dropFirst()) })
        guard result.status == 0 else { throw PageCheckError(message: "count_colours.py: \(result.stderr)") }
        let json = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
        var out: [String: PixelBox] = [:]
        for (name, hex) in names {
            let box = json[String(hex.dropFirst())] as? [String: Any] ?? [:]
            func value(_ key: String) -> Int { box[key] as? Int ?? -1 }
            out[name] = (max(value("count"), 0), value("minX"), value("maxX"), value("minY"), value("maxY"))
        }
        return out
    }

    /// Archives `records` sample records (a day of orders over 2 shards) into `stream`.
    static func archive(records: Int, stream: String, layout: StorageLayout, catalog: Catalog) throws {
        let writer = try StreamWriter(layout: layout, catalog: catalog, streamName: stream)
        for shard in 0..<2 { try writer.openShard(OrdersGenerator.shardID(shard), dedupe: .sequence) }
        let generator = OrdersGenerator(.init(records: records, shards: 2))
        try generator.generate { shard, line in
            try line.withUnsafeBufferPointer { buffer in
                var cursor = JSONCursor(UnsafeRawBufferPointer(buffer))
                let facts = try ChangeRecordScanner.scanNative(&cursor)
                _ = try writer.append(
                    buffer,
                    shard: OrdersGenerator.shardID(shard),
                    sequence: facts.sequenceNumber,
                    eventID: facts.eventID,
                    eventTime: facts.eventTimeMillis,
                    format: .native
                )
            }
        }
        try writer.commit()
    }
}

/// Debian's headless Chromium, run as the tests' user (root in CI: no sandbox there).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ arguments: [String]) async throws -> CommandRunner.Result {
        guard let path else { throw PageCheckError(message: "chromium is not installed") }
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-dev-shm-usage"]
        return try await CommandRunner.runAsync(path, common + arguments, environment: ["HOME": NSTemporaryDirectory()])
    }
}

struct PageCheckError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
