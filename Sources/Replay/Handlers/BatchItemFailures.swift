import StreamModel

/// A function's answer read as a partial batch response (FunctionResponseTypes: ReportBatchItemFailures),
/// with AWS's rules:
/// - success: an empty or `null` response, an object without `batchItemFailures`, `batchItemFailures`
///   `null` or `[]`;
/// - partial failure: `itemIdentifier`s that name sequence numbers of the batch: the lowest-placed one is where
///   the retry starts;
/// - complete failure (malformed): not JSON, not an object, an entry without `itemIdentifier`, an empty or
///   `null` identifier, or one that names no record of the batch.
enum BatchItemFailures: Equatable {
    case success
    /// Retry from this record index of the batch.
    case retryFrom(Int)
    /// The whole batch failed; the text says why (for the failure record and the log).
    case malformed(String)

    static func read(_ body: [UInt8], batch: EventBatch, range: Range<Int>) -> BatchItemFailures {
        body.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            if c.atEnd() { return .success }
            if c.peek() == UInt8(ascii: "n") {
                return (try? c.readNull()) != nil && c.atEnd() ? .success : .malformed("the response is not JSON")
            }
            guard (try? c.openObject()) != nil else { return .malformed("the response is not a JSON object") }
            c.offset = 0
            guard (try? c.skipValue()) != nil, c.atEnd() else { return .malformed("the response is not valid JSON") }
            c.offset = 0
            guard (try? c.openObject()) == true else { return .success }
            var first: Int?
            repeat {
                guard let key = try? c.readKey() else { return .malformed("the response is not valid JSON") }
                guard c.equals(key, "batchItemFailures") else {
                    c.skipValidValue()
                    continue
                }
                if c.peek() == UInt8(ascii: "n") {
                    _ = try? c.readNull()
                    continue
                }
                guard let nonEmpty = try? c.openArray() else { return .malformed("batchItemFailures is not an array") }
                guard nonEmpty else { continue }
                repeat {
                    guard let index = readItem(&c, batch, range) else {
                        return .malformed("an entry of batchItemFailures has no itemIdentifier naming a record of the batch")
                    }
                    first = min(first ?? index, index)
                } while (try? c.nextMember(closing: UInt8(ascii: "]"))) == true
            } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            return first.map { .retryFrom($0) } ?? .success
        }
    }

    /// One `{"itemIdentifier":"..."}` entry: the index of the record it names, or `nil`.
    private static func readItem(_ c: inout JSONCursor, _ batch: EventBatch, _ range: Range<Int>) -> Int? {
        guard (try? c.openObject()) == true else { return nil }
        var found: Int?
        repeat {
            guard let key = try? c.readKey() else { return nil }
            if c.equals(key, "itemIdentifier") {
                guard c.peek() == UInt8(ascii: "\""), let token = try? c.readString(), !token.hasEscapes, !token.content.isEmpty else { return nil }
                guard let index = batch.index(ofSequence: c.bytes(token.content), in: range) else { return nil }
                found = index
            } else {
                c.skipValidValue()
            }
        } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
        return found
    }
}
