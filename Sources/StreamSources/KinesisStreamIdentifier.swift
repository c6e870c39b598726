import StreamModel

/// Names a Kinesis stream by name or ARN.
public struct KinesisStreamIdentifier: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name or ARN as given.
    public var value: String

    /// Identifies a stream.
    /// - Parameter value: A stream name (`orders`) or ARN (`arn:aws:kinesis:…:stream/orders`).
    public init(_ value: String) { self.value = value }

    /// Identifies a stream by a literal name or ARN.
    public init(stringLiteral value: String) { self.value = value }

    /// Whether ``value`` is an ARN.
    public var isARN: Bool { ARN.isARN(value) }
    var streamName: String? { isARN ? nil : value }
    var streamARN: String? { isARN ? value : nil }

    /// The name or ARN.
    public var description: String { value }
}
