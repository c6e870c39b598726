/// Why a record was refused: where in the record (a JSON path) and what was expected there.
///
/// The path is built while the error unwinds out of the validator, so the fast path pays nothing for it.
/// `description` reads like `dynamodb.NewImage.total.N: expected a numeric string`.
public struct ShapeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// One step of a JSON path.
    public enum PathComponent: Sendable, Equatable, CustomStringConvertible {
        case key(String)
        case index(Int)
        public var description: String {
            switch self {
            case .key(let k): return k
            case .index(let i): return "[\(i)]"
            }
        }
    }

    /// Steps from the record's root to the offending value, outermost first.
    public var path: [PathComponent]
    /// What the value should have been, e.g. `expected a numeric string`.
    public var expectation: String
    /// Byte offset of the problem within the record's text.
    public var offset: Int

    public init(path: [PathComponent] = [], expectation: String, offset: Int) {
        self.path = path
        self.expectation = expectation
        self.offset = offset
    }

    /// The path as text: `Records[3].dynamodb.Keys.id.S`.
    public var pathText: String {
        var text = ""
        for component in path {
            switch component {
            case .key(let k): text += text.isEmpty ? k : "." + k
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    public var description: String {
        path.isEmpty ? expectation : "\(pathText): \(expectation)"
    }

    /// Returns the error with `component` in front of its path (used while unwinding).
    public func inside(_ component: PathComponent) -> ShapeError {
        var copy = self
        copy.path.insert(component, at: 0)
        return copy
    }

    /// Returns the error with `prefix` in front of its path.
    public func inside(_ prefix: [PathComponent]) -> ShapeError {
        var copy = self
        copy.path.insert(contentsOf: prefix, at: 0)
        return copy
    }
}
