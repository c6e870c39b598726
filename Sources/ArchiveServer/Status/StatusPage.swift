import AWSCore
import ArchiveStore
import Foundation
import StreamModel

/// The status page at `/`: per stream, a chart of archived records over the retention window with gaps and
/// holds marked, sizes, the newest record's age, and the latest verify. Plain HTML and inline SVG, no script:
/// it renders in any browser and in a terminal browser's text mode.
public enum StatusPage {
    /// Colours the page uses, named so tests that look at the rendered page can find each mark.
    public enum Colour {
        public static let records = "#1f6fb2"
        public static let gap = "#d81b1b"
        public static let hold = "#f0a800"
        /// Behind the bars over a hold's time range.
        public static let holdShade = "#fdf1cf"
    }

    /// The page for `snapshot`.
    public static func render(_ snapshot: StatusSnapshot) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="60">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>StreamVault status</title>
            <style>
            body{font:15px/1.4 system-ui,sans-serif;margin:24px;color:#1d1d1f;max-width:1040px}
            h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px}
            .muted{color:#666} table.facts{border-collapse:collapse;margin:8px 0}
            table.facts td,table.facts th{padding:2px 14px 2px 0;text-align:left;vertical-align:top}
            .ok{color:#137333;font-weight:600} .bad{color:#b00020;font-weight:600}
            svg{display:block;margin:8px 0;background:#fafafa;border:1px solid #ddd}
            ul.marks{margin:4px 0 0;padding-left:20px}
            </style></head><body>
            <h1>StreamVault</h1>
            <p class="muted">Storage \(escape(snapshot.storageRoot)) &middot; as of \(time(snapshot.takenAt)) &middot; refreshes every minute</p>

            """
        html += verifySection(snapshot.verify, now: snapshot.takenAt)
        if snapshot.streams.isEmpty {
            html +=
                "<p id=\"no-streams\">No streams archived yet. Start with <code>streamvault archive</code> or <code>streamvault ingest</code>.</p>\n"
        }
        for stream in snapshot.streams { html += streamSection(stream, now: snapshot.takenAt) }
        html += "</body></html>\n"
        return html
    }

    static func verifySection(_ verify: VerifyRecord?, now: Int64) -> String {
        guard let verify else {
            return "<p id=\"verify\">Verify: <span class=\"bad\">never run</span> on this storage (<code>streamvault verify</code>).</p>\n"
        }
        let scope = verify.streams.isEmpty ? "all streams" : verify.streams.map(escape).joined(separator: ", ")
        let what = "\(verify.segments) segments, \(verify.blocks) blocks, \(verify.records) records of \(scope)"
        if verify.problems == 0 {
            return "<p id=\"verify\">Verify: <span class=\"ok\">OK</span> &middot; \(what) &middot; \(age(now - verify.finishedAt)) ago</p>\n"
        }
        return """
            <p id="verify">Verify: <span class="bad">\(verify.problems) problem\(verify.problems == 1 ? "" : "s")</span> &middot; \(what) \
            &middot; \(age(now - verify.finishedAt)) ago<br><span class="muted">first: \(escape(verify.firstProblem ?? ""))</span></p>

            """
    }

    static func streamSection(_ stream: StatusSnapshot.Stream, now: Int64) -> String {
        let info = stream.info
        let totals = stream.totals
        let ratio = totals.storedBytes > 0 ? String(format: "%.1fx", Double(totals.rawBytes) / Double(totals.storedBytes)) : "-"
        let newest = totals.maxTime.map { "\(time($0)) (\(age(now - $0)) ago)" } ?? "none yet"
        let retention = "\(info.retentionDays) days (records before \(time(stream.retentionStart)) are due for pruning)"
        var html = "<section class=\"stream\" id=\"stream-\(escape(info.name))\">\n<h2>\(escape(info.name))</h2>\n<table class=\"facts\">\n"
        let source = [info.source.rawValue, info.arn ?? info.tableName].compactMap { $0 }.map(escape).joined(separator: " &middot; ")
        for (label, value) in [
            ("Source", source),
            ("Records", "\(grouped(totals.records)) in \(totals.segments) segments, \(totals.blocks) blocks"),
            ("Size", "\(bytes(totals.storedBytes)) on disk, \(bytes(totals.rawBytes)) of JSON (\(ratio))"),
            ("Shards", "\(totals.shards) (\(stream.openShards) open)"),
            ("Time range", totals.minTime.map { "\(time($0)) to \(time(totals.maxTime ?? $0))" } ?? "-"),
            ("Newest record", newest),
            ("Retention", retention),
            ("Gaps", stream.gaps.isEmpty ? "none known" : "<span class=\"bad\">\(stream.gaps.count)</span>"),
            ("Holds", stream.holds.isEmpty ? "none" : "\(stream.holds.count)"),
        ] {
            html += "<tr><th>\(label)</th><td>\(value)</td></tr>\n"
        }
        html += "</table>\n" + chart(stream)
        if !stream.gaps.isEmpty {
            html += "<p>Gaps (records the source no longer had when the archiver asked):</p><ul class=\"marks gaps\">\n"
            for mark in stream.gaps {
                let after = mark.gap.afterSequence.map { "after \($0)" } ?? "before the first archived record"
                html += "<li>\(escape(mark.gap.shardID)) \(after), near \(time(mark.time)): \(escape(mark.gap.reason))</li>\n"
            }
            html += "</ul>\n"
        }
        if !stream.holds.isEmpty {
            html += "<p>Legal holds (retention keeps what they cover):</p><ul class=\"marks holds\">\n"
            for hold in stream.holds {
                html += "<li>\(escape(hold.id)): \(time(hold.from)) to \(time(hold.to)): \(escape(hold.reason))</li>\n"
            }
            html += "</ul>\n"
        }
        return html + "</section>\n"
    }

    /// The records-per-bucket bar chart, with holds as shaded spans behind the bars and gaps as red lines over them.
    static func chart(_ stream: StatusSnapshot.Stream) -> String {
        let width = 960.0
        let height = 196.0
        let left = 56.0
        let bottom = 40.0
        let plotWidth = width - left - 8
        let plotHeight = height - bottom - 10
        let buckets = stream.timeline
        guard let first = buckets.first else { return "" }
        let start = Double(first.start)
        let span = Double(stream.bucketMillis) * Double(buckets.count)
        let peak = max(buckets.map(\.records).max() ?? 0, 1)
        func x(_ millis: Int64) -> Double { left + (Double(millis) - start) / span * plotWidth }
        let barWidth = plotWidth / Double(buckets.count)
        var svg = """
            <svg class="timeline" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
            role="img" aria-label="Records archived per \(age(stream.bucketMillis)) for \(escape(stream.info.name))">

            """
        // A hold: a shade behind the bars and a solid bar in a lane under the axis, so it shows even under full bars.
        for hold in stream.holds {
            let from = min(max(x(hold.from), left), left + plotWidth)
            let to = min(max(x(hold.to), left), left + plotWidth)
            guard to > from else { continue }
            let title = "<title>hold \(escape(hold.id)) (\(time(hold.from)) to \(time(hold.to))): \(escape(hold.reason))</title>"
            svg +=
                "<rect class=\"hold-shade\" x=\"\(f(from))\" y=\"10\" width=\"\(f(to - from))\" height=\"\(f(plotHeight))\" fill=\"\(Colour.holdShade)\">\(title)</rect>\n"
            svg +=
                "<rect class=\"hold\" x=\"\(f(from))\" y=\"\(f(13 + plotHeight))\" width=\"\(f(max(to - from, 2)))\" height=\"8\" fill=\"\(Colour.hold)\">\(title)</rect>\n"
        }
        for bucket in buckets where bucket.records > 0 {
            let h = max(Double(bucket.records) / Double(peak) * plotHeight, 1)
            svg += "<rect class=\"records\" x=\"\(f(x(bucket.start)))\" y=\"\(f(10 + plotHeight - h))\" width=\"\(f(max(barWidth - 1, 1)))\" "
            svg += "height=\"\(f(h))\" fill=\"\(Colour.records)\"><title>\(time(bucket.start)): \(grouped(bucket.records)) records</title></rect>\n"
        }
        for mark in stream.gaps {
            let gx = min(max(x(mark.time), left), left + plotWidth)
            svg +=
                "<line class=\"gap\" x1=\"\(f(gx))\" y1=\"10\" x2=\"\(f(gx))\" y2=\"\(f(10 + plotHeight))\" stroke=\"\(Colour.gap)\" stroke-width=\"3\">"
            svg += "<title>gap in \(escape(mark.gap.shardID)): \(escape(mark.gap.reason))</title></line>\n"
        }
        let base = f(10 + plotHeight)
        svg += "<line x1=\"\(f(left))\" y1=\"\(base)\" x2=\"\(f(left + plotWidth))\" y2=\"\(base)\" stroke=\"#888\"/>\n"
        svg += "<text x=\"\(f(left - 6))\" y=\"18\" text-anchor=\"end\" font-size=\"11\">\(grouped(peak))</text>\n"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(base)\" text-anchor=\"end\" font-size=\"11\">0</text>\n"
        let end = first.start + stream.bucketMillis * Int64(buckets.count)
        for (fraction, anchor) in [(0.0, "start"), (0.5, "middle"), (1.0, "end")] {
            let t = first.start + Int64(Double(end - first.start) * fraction)
            svg +=
                "<text x=\"\(f(left + plotWidth * fraction))\" y=\"\(f(height - 6))\" text-anchor=\"\(anchor)\" font-size=\"11\">\(time(t))</text>\n"
        }
        let legend =
            "<span style=\"color:\(Colour.records)\">&#9632;</span> records per \(age(stream.bucketMillis)), by event time &middot; "
            + "<span style=\"color:\(Colour.gap)\">&#9475;</span> gap &middot; <span style=\"color:\(Colour.hold)\">&#9644;</span> legal hold"
        return svg + "</svg>\n<p class=\"muted legend\">\(legend)</p>\n"
    }

    // MARK: Formatting

    static func escape(_ text: String) -> String { XMLText.escaped(text) }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// UTC to the second: `2026-01-01T06:00:00Z`.
    static func time(_ millis: Int64) -> String { ISO8601.format(millis: millis - ((millis % 1000) + 1000) % 1000) }

    static func age(_ millis: Int64) -> String {
        let seconds = max(millis, 0) / 1000
        switch seconds {
        case ..<120: return "\(seconds) s"
        case ..<7_200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h"
        default: return "\(seconds / 86_400) days"
        }
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
