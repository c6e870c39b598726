public import Foundation
import SampleData

/// Big generated inputs for memory tests, written in chunks so the test process stays small.
public enum LargeInputFiles {
    /// Writes one Lambda-style event `{"Records": [...]}` holding `records` generated records, each
    /// pretty-printed over many lines (two-space indents, like `JSONSerialization`'s `.prettyPrinted`).
    /// Returns the file's size in bytes.
    @discardableResult
    public static func prettyEvent(at path: String, records: Int, seed: UInt64 = 11) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? handle.close() }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        chunk.append(contentsOf: "{\n  \"Records\" : [\n".utf8)
        var size = 0
        var first = true
        OrdersGenerator(.init(records: records, shards: 1, seed: seed)).generate { _, line in
            if !first { chunk.append(contentsOf: ",\n".utf8) }
            first = false
            prettyPrint(line, indent: 2, into: &chunk)
            if chunk.count >= 1 << 20 {
                handle.write(Data(chunk))
                size += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.append(contentsOf: "\n  ]\n}\n".utf8)
        handle.write(Data(chunk))
        return size + chunk.count
    }

    /// Re-indents one compact JSON value: a line break after `{`, `[` and `,`, and before `}`, `]`.
    static func prettyPrint(_ compact: [UInt8], indent start: Int, into out: inout [UInt8]) {
        var depth = start
        var inString = false
        var escaped = false
        func newline() {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        for b in compact {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
                out.append(b)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(b)
                depth += 1
                newline()
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline()
                out.append(b)
            case UInt8(ascii: ","):
                out.append(b)
                newline()
            case UInt8(ascii: ":"):
                out.append(contentsOf: " : ".utf8)
            default:
                out.append(b)
            }
        }
    }
}
