/// An ARN that does not parse: a bounded ``Code`` naming the wrong part, and a message that quotes the ARN,
/// the part, and what was expected.
public struct ARNError: Error, Sendable, CustomStringConvertible {
    /// The part of the ARN that is wrong. Safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case malformed, partition, service, region, account, resource }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// Not `arn:` and six fields.
        public static let malformed = Code(.malformed)
        /// Not `aws` or `aws-*`.
        public static let partition = Code(.partition)
        /// Not `dynamodb` or `kinesis`.
        public static let service = Code(.service)
        /// Empty, or not lowercase letters, digits and '-'.
        public static let region = Code(.region)
        /// Not 12 digits.
        public static let account = Code(.account)
        /// The resource path or the name in it.
        public static let resource = Code(.resource)
        public var description: String { base.rawValue }
    }

    /// Which part is wrong.
    public let code: Code
    /// What is wrong and what was expected.
    public let message: String

    init(code: Code, text: String, problem: String) {
        self.code = code
        self.message = "ARN '\(text.prefix(300))' \(problem)."
    }

    public var description: String { message }
}
