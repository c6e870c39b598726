/// Turns a parsed pattern into ``PatternNode``s, checking AWS's rules on the way.
enum PatternCompiler {
    static let operators = "prefix, suffix, equals-ignore-case, anything-but, numeric, exists"

    static func node(_ members: [PatternJSON.Member], path: String, depth: Int) throws(FilterPatternError) -> PatternNode {
        guard !members.isEmpty else {
            throw invalid(path, "expected at least one field to match; an empty object matches nothing useful")
        }
        guard members.count <= PatternNode.maxFields else {
            throw invalid(path, "expected at most \(PatternNode.maxFields) fields in one object, found \(members.count)")
        }
        var fields: [PatternField] = []
        for member in members {
            let (key, value) = (member.key, member.value)
            let here = path.isEmpty ? key : path + "." + key
            if key.hasPrefix("$") {
                throw invalid(
                    here,
                    "'\(key)' is not a field Lambda filters on; to OR several conditions pass several patterns (repeat --filter): a record is selected when any pattern matches"
                )
            }
            if fields.contains(where: { $0.name == Array(key.utf8) }) { throw invalid(here, "the field is named twice") }
            switch value {
            case .object(let inner):
                let child = try node(inner, path: here, depth: depth + 1)
                let aliased = depth == 0 && key == "userIdentity"
                let test: PatternField.Test = .object(aliased ? PatternNode(fields: child.fields, identityAliases: true) : child)
                fields.append(PatternField(name: Array(key.utf8), test: test))
            case .array(let entries):
                guard !entries.isEmpty else {
                    throw invalid(here, "expected a non-empty list of values to match (use [null] for null, [\"\"] for the empty string)")
                }
                var matchers: [ValueMatcher] = []
                for (index, entry) in entries.enumerated() {
                    matchers.append(try matcher(entry, path: "\(here)[\(index)]"))
                }
                fields.append(PatternField(name: Array(key.utf8), test: .leaf(matchers)))
            default:
                throw invalid(here, "expected a list of values to match (e.g. [\"SHIPPED\"]) or an object of nested fields, found \(value.kind)")
            }
        }
        return PatternNode(fields: fields)
    }

    static func matcher(_ entry: PatternJSON, path: String) throws(FilterPatternError) -> ValueMatcher {
        switch entry {
        case .string(let s): return .equalsString(Array(s.utf8))
        case .number(let n, _): return .equalsNumber(n)
        case .bool(let b): return .equalsBool(b)
        case .null: return .equalsNull
        case .array: throw invalid(path, "expected a value or an operator object, found a nested array")
        case .object(let members):
            guard members.count == 1, let first = members.first else {
                throw invalid(path, "expected an object with exactly one operator (\(operators)), found \(members.count) keys")
            }
            let (name, operand) = (first.key, first.value)
            let here = path + "." + name
            switch name {
            case "prefix": return .prefix(try string(operand, here))
            case "suffix": return .suffix(try string(operand, here))
            case "equals-ignore-case": return .equalsIgnoreCase(lowered(try string(operand, here)))
            case "exists":
                guard case .bool(let b) = operand else { throw invalid(here, "expected true or false, found \(operand.kind)") }
                return .exists(b)
            case "numeric": return .numeric(try numeric(operand, here))
            case "anything-but": return try anythingBut(operand, here)
            default:
                throw invalid(here, "unknown operator '\(name)': expected one of \(operators)")
            }
        }
    }

    private static func anythingBut(_ operand: PatternJSON, _ path: String) throws(FilterPatternError) -> ValueMatcher {
        switch operand {
        case .string(let s): return .anythingBut(strings: [Array(s.utf8)], numbers: [])
        case .number(let n, let text): return .anythingBut(strings: [], numbers: [try checked(n, text, path)])
        case .array(let list):
            guard !list.isEmpty else { throw invalid(path, "expected a non-empty list of strings or numbers") }
            var strings: [[UInt8]] = []
            var numbers: [Double] = []
            for (index, element) in list.enumerated() {
                switch element {
                case .string(let s): strings.append(Array(s.utf8))
                case .number(let n, let text): numbers.append(try checked(n, text, "\(path)[\(index)]"))
                default: throw invalid("\(path)[\(index)]", "expected a string or a number, found \(element.kind)")
                }
            }
            return .anythingBut(strings: strings, numbers: numbers)
        case .object(let members):
            guard members.count == 1, let first = members.first else {
                throw invalid(path, "expected one of {\"prefix\": s}, {\"suffix\": s}, {\"equals-ignore-case\": s}")
            }
            let (name, inner) = (first.key, first.value)
            let here = path + "." + name
            switch name {
            case "prefix": return .anythingButPrefix(try string(inner, here))
            case "suffix": return .anythingButSuffix(try string(inner, here))
            case "equals-ignore-case":
                if case .array(let list) = inner {
                    guard !list.isEmpty else { throw invalid(here, "expected a non-empty list of strings") }
                    var texts: [[UInt8]] = []
                    for (index, element) in list.enumerated() { texts.append(lowered(try string(element, "\(here)[\(index)]"))) }
                    return .anythingButIgnoreCase(texts)
                }
                return .anythingButIgnoreCase([lowered(try string(inner, here))])
            default:
                throw invalid(here, "unknown anything-but operator '\(name)': expected prefix, suffix or equals-ignore-case")
            }
        default:
            throw invalid(path, "expected a string, a number, a list of them, or {\"prefix\": s} / {\"suffix\": s}; found \(operand.kind)")
        }
    }

    private static func numeric(_ operand: PatternJSON, _ path: String) throws(FilterPatternError) -> NumericRange {
        guard case .array(let list) = operand, list.count == 2 || list.count == 4 else {
            throw invalid(path, "expected [op, number] or [\">\"|\">=\", low, \"<\"|\"<=\", high] with op one of =, <, <=, >, >=")
        }
        var range = NumericRange()
        var equals = false
        for pair in stride(from: 0, to: list.count, by: 2) {
            guard case .string(let op) = list[pair] else {
                throw invalid("\(path)[\(pair)]", "expected an operator (=, <, <=, >, >=), found \(list[pair].kind)")
            }
            guard case .number(let value, let text) = list[pair + 1] else {
                throw invalid("\(path)[\(pair + 1)]", "numeric needs a number after '\(op)', found \(list[pair + 1].kind)")
            }
            let n = try checked(value, text, "\(path)[\(pair + 1)]")
            switch op {
            case "=":
                guard list.count == 2 else { throw invalid("\(path)[\(pair)]", "'=' stands alone: [\"=\", n]") }
                range.lower = (n, true)
                range.upper = (n, true)
                equals = true
            case ">", ">=":
                guard range.lower == nil else { throw invalid("\(path)[\(pair)]", "a second lower bound; expected one of <, <=") }
                range.lower = (n, op == ">=")
            case "<", "<=":
                guard range.upper == nil else { throw invalid("\(path)[\(pair)]", "a second upper bound; expected one of >, >=") }
                range.upper = (n, op == "<=")
            default:
                throw invalid("\(path)[\(pair)]", "unknown numeric operator '\(op)': expected =, <, <=, >, >=")
            }
        }
        if !equals, let lower = range.lower, let upper = range.upper,
            lower.value > upper.value || (lower.value == upper.value && !(lower.inclusive && upper.inclusive))
        {
            throw invalid(path, "the range is empty: the lower bound \(lower.value) is not below the upper bound \(upper.value)")
        }
        return range
    }

    private static func checked(_ value: Double, _ text: String, _ path: String) throws(FilterPatternError) -> Double {
        guard abs(value) <= FilterPattern.numericLimit else {
            throw invalid(path, "numbers must be between -5.0e9 and 5.0e9 (AWS's limit), found \(text)")
        }
        return value
    }

    private static func string(_ value: PatternJSON, _ path: String) throws(FilterPatternError) -> [UInt8] {
        guard case .string(let s) = value else { throw invalid(path, "expected a string, found \(value.kind)") }
        return Array(s.utf8)
    }

    private static func lowered(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
    }

    private static func invalid(_ path: String, _ expectation: String) -> FilterPatternError {
        FilterPatternError(code: .invalidPattern, path: path, expectation: expectation)
    }
}
