import Foundation
import StreamModel

/// Test helpers for the conversion tests: fixtures, a JSON value model that keeps numbers exact, and a
/// seeded record generator.
enum ConversionFixtures {
    /// `Tests/Fixtures/conversion/<name>`, found from this file's path (fixtures are not a declared resource).
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/conversion/\(name)")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(name)))
    }

    /// The records of an input file (NDJSON, array or `{"Records":[...]}`), each as bytes.
    static func records(_ name: String) throws -> [[UInt8]] {
        let input = try bytes(name)
        return try RecordSplitter.split(input).map { Array(input[$0.0]) }
    }
}

/// A JSON value whose numbers compare by exact decimal value (`1E+3 == 1000`, `12.50 == 12.5`, `-0 != 0`).
indirect enum JSONValue: Equatable, CustomStringConvertible {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(_ bytes: [UInt8]) throws {
        var parser = Parser(bytes: bytes)
        self = try parser.value()
        parser.ws()
        guard parser.i == bytes.count else { throw Parser.Failure(at: parser.i) }
    }

    init(_ text: String) throws { try self.init(Array(text.utf8)) }

    subscript(_ key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return canonical(x) == canonical(y)
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }

    /// (negative, significant digits, exponent of the last digit).
    static func canonical(_ n: String) -> String {
        var s = Substring(n)
        var negative = false
        if s.first == "-" {
            negative = true
            s = s.dropFirst()
        } else if s.first == "+" {
            s = s.dropFirst()
        }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
            s = s[..<e]
        }
        var digits = ""
        if let dot = s.firstIndex(of: ".") {
            let fraction = s[s.index(after: dot)...]
            exponent -= fraction.count
            digits = String(s[..<dot]) + fraction
        } else {
            digits = String(s)
        }
        digits = String(digits.drop { $0 == "0" })
        while digits.hasSuffix("0") {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { return negative ? "-0" : "0" }
        return "\(negative ? "-" : "")\(digits)e\(exponent)"
    }

    var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .number(let n): return n
        case .bool(let b): return "\(b)"
        case .null: return "null"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }

    struct Parser {
        struct Failure: Error { let at: Int }
        let bytes: [UInt8]
        var i = 0

        mutating func ws() { while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 } }

        mutating func value() throws -> JSONValue {
            ws()
            guard i < bytes.count else { throw Failure(at: i) }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var o = [String: JSONValue]()
                ws()
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(o)
                }
                while true {
                    ws()
                    let k = try string()
                    ws()
                    guard bytes[i] == UInt8(ascii: ":") else { throw Failure(at: i) }
                    i += 1
                    o[k] = try value()
                    ws()
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    guard bytes[i] == UInt8(ascii: "}") else { throw Failure(at: i) }
                    i += 1
                    return .object(o)
                }
            case UInt8(ascii: "["):
                i += 1
                var a = [JSONValue]()
                ws()
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(a)
                }
                while true {
                    a.append(try value())
                    ws()
                    if bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    guard bytes[i] == UInt8(ascii: "]") else { throw Failure(at: i) }
                    i += 1
                    return .array(a)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                i += 4
                return .bool(true)
            case UInt8(ascii: "f"):
                i += 5
                return .bool(false)
            case UInt8(ascii: "n"):
                i += 4
                return .null
            default:
                let start = i
                while i < bytes.count, "+-.eE0123456789".utf8.contains(bytes[i]) { i += 1 }
                guard i > start else { throw Failure(at: i) }
                return .number(String(decoding: bytes[start..<i], as: UTF8.self))
            }
        }

        mutating func string() throws -> String {
            guard bytes[i] == UInt8(ascii: "\"") else { throw Failure(at: i) }
            i += 1
            var out = [UInt8]()
            while bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") {
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)!
                        i += 4
                        if v >= 0xD800 && v < 0xDC00 {
                            let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)!
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        out.append(contentsOf: String(Character(Unicode.Scalar(v)!)).utf8)
                    default: out.append(e)
                    }
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            i += 1
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// SplitMix64: a small seeded generator, so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates native records (compact JSON, canonical field order) with every attribute type.
struct NativeRecordGenerator {
    var rng: SeededGenerator
    /// Decimal places allowed in ApproximateCreationDateTime (0, up to 3, or up to 6).
    var timeDecimals = 0

    static let numbers = [
        "0", "-0", "12.50", "1E+3", "1e-7", "-1.5E-130", "9.9999999999999999999999999999999999999E+125",
        "12345678901234567890123456789012345678", "-0.000000000000000000000000000000000000001", ".5", "5.", "007", "-42", "1.0e0",
    ]
    static let strings = [
        "", "plain", "ünïcødé ✓", "emoji 😀", "quote \\\" backslash \\\\ slash \\/", "tab\\tnewline\\n", "\\u0001ctl", "中文", "\\ud83d\\ude00",
    ]

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func base64() -> String {
        let bytes = (0..<Int.random(in: 0..<10, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
    }

    mutating func value(_ depth: Int) -> String {
        let types = depth < 5 ? ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"] : ["S", "N", "B", "BOOL", "NULL"]
        switch pick(types) {
        case "S": return "{\"S\":\"\(pick(Self.strings))\"}"
        case "N": return "{\"N\":\"\(pick(Self.numbers))\"}"
        case "B": return "{\"B\":\"\(base64())\"}"
        case "BOOL": return "{\"BOOL\":\(chance(0.5))}"
        case "NULL": return "{\"NULL\":true}"
        case "M": return "{\"M\":\(map(depth + 1, size: Int.random(in: 0..<4, using: &rng)))}"
        case "L": return "{\"L\":[" + (0..<Int.random(in: 0..<4, using: &rng)).map { _ in value(depth + 1) }.joined(separator: ",") + "]}"
        case "SS":
            return "{\"SS\":[" + (0..<Int.random(in: 1..<4, using: &rng)).map { i in "\"\(pick(Self.strings))\(i)\"" }.joined(separator: ",") + "]}"
        case "NS":
            return "{\"NS\":[" + (0..<Int.random(in: 1..<4, using: &rng)).map { _ in "\"\(pick(Self.numbers))\"" }.joined(separator: ",") + "]}"
        default: return "{\"BS\":[" + (0..<Int.random(in: 1..<3, using: &rng)).map { _ in "\"\(base64())\"" }.joined(separator: ",") + "]}"
        }
    }

    mutating func map(_ depth: Int, size: Int) -> String {
        "{" + (0..<size).map { i in "\"a\(i)\(pick(Self.strings))\":\(value(depth))" }.joined(separator: ",") + "}"
    }

    /// One record; returns its JSON and its StreamViewType.
    mutating func record(_ n: Int) -> (json: String, viewType: StreamViewType) {
        let name = pick(["INSERT", "MODIFY", "REMOVE"])
        let view = pick(StreamViewType.allCases)
        let keyValue = chance(0.5) ? "{\"S\":\"id-\(n)-\(pick(Self.strings))\"}" : "{\"N\":\"\(Int.random(in: -99999...99999, using: &rng))\"}"
        var keys = "{\"pk\":\(keyValue)"
        if chance(0.5) { keys += ",\"sk\":{\"B\":\"\(base64())\"}" }
        keys += "}"
        let hasNew = name != "REMOVE" && (view == .newImage || view == .newAndOldImages)
        let hasOld = name != "INSERT" && (view == .oldImage || view == .newAndOldImages)
        var time = String(Int.random(in: 1_400_000_000...1_900_000_000, using: &rng))
        if timeDecimals > 0, chance(0.7) {
            var fraction = String(Int.random(in: 1..<Int(pow(10.0, Double(timeDecimals))), using: &rng))
            fraction = String(repeating: "0", count: timeDecimals - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            time += "." + fraction
        }
        var d = "{\"ApproximateCreationDateTime\":\(time),\"Keys\":\(keys)"
        if hasNew { d += ",\"NewImage\":\(map(0, size: Int.random(in: 0..<7, using: &rng)))" }
        if hasOld { d += ",\"OldImage\":\(map(0, size: Int.random(in: 0..<7, using: &rng)))" }
        let seq =
            String(Int.random(in: 1...9, using: &rng))
            + (0..<Int.random(in: 20...38, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
        d += ",\"SequenceNumber\":\"\(seq)\",\"SizeBytes\":\(Int.random(in: 1...400_000, using: &rng)),\"StreamViewType\":\"\(view.rawValue)\"}"
        var json = "{\"eventID\":\"\(UInt64.random(in: 0...UInt64.max, using: &rng))\",\"eventName\":\"\(name)\",\"eventVersion\":\"1.1\","
        json += "\"eventSource\":\"aws:dynamodb\",\"awsRegion\":\"\(pick(["us-east-1", "eu-west-1", "ap-southeast-2"]))\",\"dynamodb\":\(d)"
        if chance(0.2) { json += ",\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":\"Service\"}" }
        json += "}"
        return (json, view)
    }
}
