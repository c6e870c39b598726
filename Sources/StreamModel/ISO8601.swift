#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// UTC timestamps as ISO 8601 text and epoch milliseconds, without Foundation formatters.
public enum ISO8601 {
    /// `2026-01-01T00:10:00.123Z` (milliseconds shown only when non-zero).
    public static func format(millis: Int64) -> String {
        var seconds = time_t(millis.floorDiv(1000))
        let ms = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
        text += "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        if ms != 0 { text += "." + pad(Int32(ms), 3) }
        return text + "Z"
    }

    /// Parses a time given on the command line: ISO 8601 (`2026-01-01T00:10:00Z`, `2026-01-01T00:10:00.5+02:00`,
    /// `2026-01-01` for midnight UTC) or epoch seconds (`1767225600`, `1767225600.25`). Returns epoch milliseconds.
    public static func parseMillis(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        if !bytes.isEmpty, bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
            !bytes.dropFirst().contains(UInt8(ascii: "-"))
        {
            return bytes.withUnsafeBufferPointer { EventTime.millis(fromSeconds: $0) }
        }
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= bytes.count else { return nil }
            var v = 0
            for b in bytes[i..<(i + digits)] {
                guard b >= 0x30 && b <= 0x39 else { return nil }
                v = v * 10 + Int(b - 0x30)
            }
            i += digits
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < bytes.count, bytes[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var millis = 0
        var offsetSeconds = 0
        if i < bytes.count {
            guard expect("T") || expect(" ") || expect("t"), let h = number(2), expect(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(":") {
                guard let s = number(2) else { return nil }
                second = s
                if expect(".") || expect(",") {
                    var scale = 100
                    while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                        millis += Int(bytes[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
            if expect("Z") || expect("z") {
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                let sign = bytes[i] == UInt8(ascii: "+") ? 1 : -1
                i += 1
                guard let oh = number(2) else { return nil }
                _ = expect(":")
                guard let om = number(2) else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil  // a time without a zone is ambiguous: ask for Z or an offset
            }
        }
        guard i == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = Int64(timegm(&parts)) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (for times before 1970).
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
