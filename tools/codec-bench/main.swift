// Hand-written MD5/base64 (compiled from Sources/StreamModel) against swift-crypto's Insecure.MD5 and
// Foundation's base64, on the inputs the conversion hot path sees: a ~50-byte partition-key message and
// ~1.6 KB Kinesis payloads, each used the way the hot path uses it (append into a reused [UInt8]).
// Run with tools/codec-bench.sh (release objects from `swift build -c release`).
import Crypto
import Foundation

@inline(never) func sink(_ x: Int) { checksum &+= x }
nonisolated(unsafe) var checksum = 0

func measure(_ name: String, _ iterations: Int, _ body: () -> Void) -> Double {
    for _ in 0..<(iterations / 10) { body() }  // warm up
    var best = Double.infinity
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        let elapsed = ContinuousClock.now - start
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, ns / Double(iterations))
    }
    print(name.padding(toLength: 56, withPad: " ", startingAt: 0), String(format: "%8.1f ns/call", best))
    return best
}

var generator = SystemRandomNumberGenerator()
let key = Array("orders\norderId=S:ORD-2026-000123456\nsk=S:LINE#0007\n".utf8)  // 50 bytes
let payload = (0..<1600).map { _ in UInt8.random(in: 0...255, using: &generator) }
var encoded = [UInt8]()
payload.withUnsafeBufferPointer { Base64.append($0, into: &encoded) }
precondition(encoded == Array(Data(payload).base64EncodedData()))
precondition(key.withUnsafeBufferPointer { MD5.digest($0) } == Array(Insecure.MD5.hash(data: key)))
print("MD5 of a \(key.count)-byte key; base64 of \(payload.count)-byte payloads (\(encoded.count) characters)")

var out = [UInt8]()
out.reserveCapacity(4096)
let md5Mine = measure("MD5 hand-written (MD5.digest)", 1_000_000) {
    key.withUnsafeBufferPointer { sink(Int(MD5.digest($0)[0])) }
}
let md5Lib = measure("MD5 swift-crypto (Insecure.MD5.hash)", 1_000_000) {
    key.withUnsafeBytes { b in Insecure.MD5.hash(data: b).withUnsafeBytes { sink(Int($0[0])) } }
}
let encMine = measure("base64 encode hand-written (Base64.append)", 200_000) {
    out.removeAll(keepingCapacity: true)
    payload.withUnsafeBufferPointer { Base64.append($0, into: &out) }
    sink(out.count)
}
let encLib = measure("base64 encode Foundation (base64EncodedData)", 200_000) {
    out.removeAll(keepingCapacity: true)
    payload.withUnsafeBufferPointer { out.append(contentsOf: Data(buffer: $0).base64EncodedData()) }
    sink(out.count)
}
let decMine = measure("base64 decode hand-written (Base64.decode)", 200_000) {
    out.removeAll(keepingCapacity: true)
    _ = encoded.withUnsafeBufferPointer { Base64.decode($0, into: &out) }
    sink(out.count)
}
let decLib = measure("base64 decode Foundation (Data(base64Encoded:))", 200_000) {
    out.removeAll(keepingCapacity: true)
    encoded.withUnsafeBufferPointer { if let d = Data(base64Encoded: Data(buffer: $0)) { out.append(contentsOf: d) } }
    sink(out.count)
}
// Foundation accepts padding Base64.decode rejects ("AB=A", "====", "QU=D"), so a drop-in needs the check first.
let decChecked = measure("base64 decode Base64.isValid + Foundation", 200_000) {
    out.removeAll(keepingCapacity: true)
    encoded.withUnsafeBufferPointer {
        if Base64.isValid($0), let d = Data(base64Encoded: Data(buffer: $0)) { out.append(contentsOf: d) }
    }
    sink(out.count)
}
print(
    String(
        format: "ratios library/hand-written: MD5 %.2f, encode %.2f, decode %.2f (checked %.2f)",
        md5Lib / md5Mine,
        encLib / encMine,
        decLib / decMine,
        decChecked / decMine
    )
)
print("checksum \(checksum)")
