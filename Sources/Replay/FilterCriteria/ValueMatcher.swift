#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a pattern's value list (`"status": ["SHIPPED", {"prefix": "RET"}]`): a test on one leaf value.
enum ValueMatcher: Sendable, Equatable {
    case equalsString([UInt8])
    case equalsNumber(Double)
    case equalsBool(Bool)
    case equalsNull
    case prefix([UInt8])
    case suffix([UInt8])
    /// The text, lowercased.
    case equalsIgnoreCase([UInt8])
    case anythingBut(strings: [[UInt8]], numbers: [Double])
    case anythingButPrefix([UInt8])
    case anythingButSuffix([UInt8])
    /// The texts, lowercased.
    case anythingButIgnoreCase([[UInt8]])
    case numeric(NumericRange)
    case exists(Bool)
}

/// The bounds of a `numeric` matcher; `nil` is unbounded.
struct NumericRange: Sendable, Equatable {
    var lower: (value: Double, inclusive: Bool)?
    var upper: (value: Double, inclusive: Bool)?

    static func == (a: NumericRange, b: NumericRange) -> Bool {
        a.lower?.value == b.lower?.value && a.lower?.inclusive == b.lower?.inclusive && a.upper?.value == b.upper?.value
            && a.upper?.inclusive == b.upper?.inclusive
    }

    func contains(_ x: Double) -> Bool {
        if let lower, lower.inclusive ? x < lower.value : x <= lower.value { return false }
        if let upper, upper.inclusive ? x > upper.value : x >= upper.value { return false }
        return true
    }
}

/// A leaf value of a record, as the matchers see it (a view into the record; valid during one match).
enum LeafValue {
    /// A string's content, escapes resolved.
    case string(UnsafeBufferPointer<UInt8>)
    case number(Double)
    case bool(Bool)
    case null
}

extension ValueMatcher {
    /// Whether the leaf `value` passes this test. (Absent fields are decided by ``PatternField/matchesAbsent``.)
    func matches(_ value: LeafValue) -> Bool {
        switch (self, value) {
        case (.equalsString(let s), .string(let v)): return Self.equal(v, s)
        case (.equalsNumber(let n), .number(let v)): return v == n
        case (.equalsBool(let b), .bool(let v)): return v == b
        case (.equalsNull, .null): return true
        case (.prefix(let p), .string(let v)): return v.count >= p.count && Self.equal(UnsafeBufferPointer(rebasing: v[0..<p.count]), p)
        case (.suffix(let p), .string(let v)):
            return v.count >= p.count && Self.equal(UnsafeBufferPointer(rebasing: v[(v.count - p.count)...]), p)
        case (.equalsIgnoreCase(let s), .string(let v)): return Self.equalIgnoringCase(v, s)
        case (.anythingBut(let strings, let numbers), _):
            switch value {
            case .string(let v): return !strings.contains { Self.equal(v, $0) }
            case .number(let v): return !numbers.contains(v)
            case .bool, .null: return true
            }
        case (.anythingButPrefix(let p), .string(let v)):
            return !(v.count >= p.count && Self.equal(UnsafeBufferPointer(rebasing: v[0..<p.count]), p))
        case (.anythingButSuffix(let p), .string(let v)):
            return !(v.count >= p.count && Self.equal(UnsafeBufferPointer(rebasing: v[(v.count - p.count)...]), p))
        case (.anythingButIgnoreCase(let list), .string(let v)): return !list.contains { Self.equalIgnoringCase(v, $0) }
        case (.numeric(let range), .number(let v)): return range.contains(v)
        case (.exists(let wanted), _): return wanted
        default: return false
        }
    }

    /// Whether this matcher selects a record that lacks the field: only `{"exists": false}` does.
    var matchesAbsent: Bool { self == .exists(false) }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return b.withUnsafeBufferPointer { b in
            guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
            return memcmp(pa, pb, a.count) == 0
        }
    }

    /// Compares `value` with `lowered` (already lowercased): ASCII folds in place; other text through Unicode
    /// lowercasing (allocates; only for non-ASCII values).
    static func equalIgnoringCase(_ value: UnsafeBufferPointer<UInt8>, _ lowered: [UInt8]) -> Bool {
        if value.allSatisfy({ $0 < 0x80 }) {
            guard value.count == lowered.count else { return false }
            for i in 0..<value.count where asciiLower(value[i]) != lowered[i] { return false }
            return true
        }
        return Array(String(decoding: value, as: UTF8.self).lowercased().utf8) == lowered
    }

    @inline(__always)
    static func asciiLower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    /// A JSON number's value (strtod on a stack copy: no allocation for the short texts numbers are).
    static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        guard text.count < 128 else { return Double(String(decoding: text, as: UTF8.self)) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for i in 0..<text.count { buffer[i] = CChar(bitPattern: text[i]) }
            buffer[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &end)
            return end == base + text.count ? value : nil
        }
    }
}
