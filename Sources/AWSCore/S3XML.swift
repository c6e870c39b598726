import Foundation

/// Reads the few flat XML answers S3 gives (errors, ListObjectsV2, multipart uploads) without a DOM.
///
/// S3's answers are machine-written, with no attributes on the elements we read, no CDATA and no
/// comments, so finding `<Name>…</Name>` and decoding the five entities (plus numeric ones) is enough.
enum S3XML {
    /// The text of every `<tag>…</tag>` element in `xml`, in order, entities decoded.
    static func values(_ tag: String, in xml: Substring) -> [String] {
        elements(tag, in: xml).map { unescape($0) }
    }

    /// The text of the first `<tag>…</tag>` element, entities decoded, or `nil`.
    static func value(_ tag: String, in xml: Substring) -> String? {
        elements(tag, in: xml).first.map { unescape($0) }
    }

    /// The raw inner text of every `<tag>…</tag>` element (for nested elements such as `<Contents>`).
    static func elements(_ tag: String, in xml: Substring) -> [Substring] {
        let open = "<\(tag)>"
        let close = "</\(tag)>"
        var found: [Substring] = []
        var rest = xml
        while let start = rest.range(of: open) {
            let after = rest[start.upperBound...]
            guard let end = after.range(of: close) else { break }
            found.append(after[..<end.lowerBound])
            rest = after[end.upperBound...]
        }
        return found
    }

    /// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and `&#NN;` / `&#xNN;`.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let tail = rest[amp...]
            guard let semicolon = tail.firstIndex(of: ";"), tail.distance(from: amp, to: semicolon) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = tail[tail.index(after: amp)..<semicolon]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(1)).flatMap(Unicode.Scalar.init)
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
            }
            rest = tail[tail.index(after: semicolon)...]
        }
        out += rest
        return out
    }

    /// Escapes text for an element's content.
    static func escape(_ text: String) -> String { XMLText.escaped(text) }
}

/// Text made safe for XML, and for HTML (the status page): element content and quoted attribute values.
public enum XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` as entities.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
