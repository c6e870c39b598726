import Foundation
import StreamModel
import Testing

/// The public base64 entry points share one encoder and one decoder with the conversion hot path; these pin what
/// they accept, so the archive keeps rejecting the padding Foundation's decoder lets through.
struct Base64Tests {
    @Test(arguments: [
        ("", [UInt8]()), ("QQ==", [65]), ("QUI=", [65, 66]), ("QUJD", [65, 66, 67]), ("AB==", [0]), ("SGVsbG8=", Array("Hello".utf8)),
    ])
    func decodesPaddedBase64(_ text: String, _ expected: [UInt8]) {
        #expect(Base64.decode(Array(text.utf8)) == expected)
        #expect(Base64.decode(Array(text.utf8).lazy.map { $0 }) == expected)  // a collection without contiguous storage
    }

    @Test(arguments: ["AB=A", "====", "QU=D", "A===", "QUJ", "QUJ D", "QUJD\n", "AB==AAAA", "QU*D"])
    func rejectsMalformedBase64(_ text: String) {
        #expect(Base64.decode(Array(text.utf8)) == nil)
        #expect(Base64.decode(Array(text.utf8).lazy.map { $0 }) == nil)
        #expect(Array(text.utf8).withUnsafeBufferPointer { Base64.isValid($0) } == false)
    }

    @Test(arguments: 0..<8)
    func encodesAsFoundationDoes(_ length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 89 &+ 251) }
        var contiguous: [UInt8] = []
        Base64.encode(bytes, into: &contiguous)
        var lazy: [UInt8] = []
        Base64.encode(bytes.lazy.map { $0 }, into: &lazy)
        #expect(String(decoding: contiguous, as: UTF8.self) == Data(bytes).base64EncodedString())
        #expect(lazy == contiguous)
        #expect(Base64.decode(contiguous) == bytes)
    }
}
