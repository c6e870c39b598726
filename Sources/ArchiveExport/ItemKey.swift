import StreamModel

/// An item's identity from its `Keys` document: the members sorted by attribute name, so the same key
/// written with its attributes in another order is the same item.
enum ItemKey {
    /// Writes the canonical form of the `Keys` object at `range` of `record` into `out` (replacing it).
    /// - Returns: `false` when `range` does not hold a JSON object with at least one member.
    static func canonical(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        let object = UnsafeBufferPointer(rebasing: record[range])
        var c = JSONCursor(UnsafeRawBufferPointer(object))
        var members: [(name: Range<Int>, value: Range<Int>)] = []
        members.reserveCapacity(2)
        guard (try? c.openObject()) == true else { return false }  // not an object, or `{}`: no key at all
        repeat {
            guard let name = try? c.readKey() else { return false }
            c.skipWhitespace()
            let start = c.offset
            c.skipValidValue()
            members.append((name, start..<c.offset))
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        if members.count == 2 && !object[members[0].name].lexicographicallyPrecedes(object[members[1].name]) {
            members.swapAt(0, 1)
        } else if members.count > 2 {
            members.sort { object[$0.name].lexicographicallyPrecedes(object[$1.name]) }
        }
        for member in members {
            out.append(contentsOf: object[member.name])
            out.append(0)
            out.append(contentsOf: object[member.value])
            out.append(0)
        }
        return true
    }
}
