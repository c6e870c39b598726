import StreamModel

/// Reads a function's answer where the protocol carries no error flag (`--exec` lines, `--http` bodies): a JSON
/// object with both `errorType` and `errorMessage` at its top is Lambda's error shape, a function error;
/// anything else is the response.
enum ResponseShape {
    static func outcome(of body: [UInt8]) -> HandlerOutcome {
        body.withUnsafeBytes { raw -> HandlerOutcome in
            var c = JSONCursor(raw)
            guard (try? c.openObject()) == true else { return .response(body) }
            var type: String?
            var message: String?
            repeat {
                guard let key = try? c.readKey() else { return .response(body) }
                if c.equals(key, "errorType") || c.equals(key, "errorMessage") {
                    let isType = c.equals(key, "errorType")
                    guard c.peek() == UInt8(ascii: "\""), let token = try? c.readString() else {
                        c.skipValidValue()
                        continue
                    }
                    let text =
                        token.hasEscapes
                        ? String(decoding: c.unescaped(token.content), as: UTF8.self) : String(decoding: c.bytes(token.content), as: UTF8.self)
                    if isType { type = text } else { message = text }
                } else {
                    c.skipValidValue()
                }
            } while (try? c.nextMember(closing: UInt8(ascii: "}"))) == true
            if let type, let message { return .functionError(type: type, message: message) }
            return .response(body)
        }
    }
}
