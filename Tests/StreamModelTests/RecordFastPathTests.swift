import SampleData
import Testing

@testable import StreamModel

/// The one-loop scan (``RecordFastPath``) beside the key-by-key walk it stands in for: it must accept a subset of
/// what the walk accepts, never more, with the same facts and the same end offset, and it must accept the records
/// AWS writes (else ingest would silently lose its speed).
struct RecordFastPathTests {
    /// What the fast path says about `text`: the facts and the offset after the record, or `nil`.
    static func fast(_ text: [UInt8]) -> (facts: ChangeRecordFacts, end: Int)? {
        text.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            return RecordFastPath.scanNative(&c).map { ($0, c.offset) }
        }
    }

    /// What the walk says about `text`.
    static func walk(_ text: [UInt8]) -> Result<(facts: ChangeRecordFacts, end: Int), ShapeError> {
        text.withUnsafeBytes { raw in
            var c = JSONCursor(raw)
            do throws(ShapeError) {
                let facts = try ChangeRecordScanner.walkNative(&c)
                return .success((facts, c.offset))
            } catch {
                return .failure(error)
            }
        }
    }

    static func sameFacts(_ a: ChangeRecordFacts, _ b: ChangeRecordFacts) -> Bool {
        a.eventID == b.eventID && a.sequenceNumber == b.sequenceNumber && a.eventTimeMillis == b.eventTimeMillis
            && a.eventName == b.eventName && a.hasEventSourceARN == b.hasEventSourceARN
    }

    static func sampleRecords(_ count: Int) -> [[UInt8]] {
        var records: [[UInt8]] = []
        OrdersGenerator(.init(records: count, shards: 2)).generate { _, line in records.append(line) }
        return records
    }

    @Test func acceptsEveryGeneratedRecordWithTheWalksFacts() throws {
        for record in Self.sampleRecords(3000) {
            guard let fast = Self.fast(record) else {
                Issue.record("the fast path refused \(String(decoding: record, as: UTF8.self))")
                continue
            }
            let walked = try Self.walk(record).get()
            #expect(Self.sameFacts(fast.facts, walked.facts) && fast.end == walked.end)
            #expect(record.withUnsafeBufferPointer { ChangeRecordScanner.scanSingleLine($0) } != nil)
        }
    }

    /// Random damage to real records (a byte replaced by one of JSON's structural or troublesome bytes, deleted, or
    /// a span repeated): whenever the fast path accepts the result, the walk accepts it with the same facts.
    @Test(arguments: [1, 2, 3])
    func neverAcceptsWhatTheWalkRefuses(seed: UInt64) {
        let interesting: [UInt8] = Array(#"{}[]":,\ 0x-+.eE"#.utf8) + [0x0A, 0x0D, 0x09, 0x01, 0x7F, 0x80, 0xC3, 0xE2, 0xF4, 0xFF]
        var rng = SplitMix64(seed: seed)
        var fastAccepted = 0
        var fastRefused = 0
        for record in Self.sampleRecords(400) {
            for _ in 0..<25 {
                var damaged = record
                let at = Int(rng.next() % UInt64(damaged.count))
                switch rng.next() % 3 {
                case 0: damaged[at] = interesting[Int(rng.next() % UInt64(interesting.count))]
                case 1: damaged.remove(at: at)
                default:
                    let length = min(Int(rng.next() % 12) + 1, damaged.count - at)
                    damaged.insert(contentsOf: damaged[at..<(at + length)], at: at)
                }
                guard let fast = Self.fast(damaged) else {
                    fastRefused += 1
                    continue
                }
                fastAccepted += 1
                switch Self.walk(damaged) {
                case .success(let walked):
                    #expect(Self.sameFacts(fast.facts, walked.facts) && fast.end == walked.end, "\(String(decoding: damaged, as: UTF8.self))")
                case .failure(let error):
                    Issue.record("the fast path accepted what the walk refuses (\(error)): \(String(decoding: damaged, as: UTF8.self))")
                }
            }
        }
        // Both outcomes happen, so the property was really exercised.
        #expect(fastAccepted > 100 && fastRefused > 1000, "accepted \(fastAccepted), refused \(fastRefused)")
    }

    /// Valid records the fast path leaves to the walk: it must say "not sure", and the walk reads them.
    @Test(arguments: [
        (
            #"{"eventID":"a","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"N":"1\u0030"}},"SequenceNumber":"1"}}"#,
            "an escape inside N"
        ),
        (
            #"{"eventID":"a","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1"},"other":[1,{"a":null}]}"#,
            "a key AWS does not write"
        ),
        (
            #"{"eventID":"a","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1"},"userIdentity":{"PrincipalId":7}}"#,
            "userIdentity not of strings"
        ),
        (
            #"{"eventID":"a","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1","Extra":{}}}"#,
            "an unknown dynamodb key"
        ),
        (
            #"{"eventID":"a","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1,"Keys":{"k":"#
                + String(repeating: #"{"L":["#, count: 70) + #"{"S":"x"}"# + String(repeating: "]}", count: 70)
                + #"},"SequenceNumber":"1"}}"#, "nesting deeper than the fast path tracks"
        ),
    ])
    func leavesUnusualValidRecordsToTheWalk(record: String, why: String) throws {
        let bytes = Array(record.utf8)
        #expect(Self.fast(bytes) == nil, "\(why)")
        let walked = try Self.walk(bytes).get()
        let scanned = try bytes.withUnsafeBytes { raw throws(ShapeError) in
            var c = JSONCursor(raw)
            return try ChangeRecordScanner.scanNative(&c)
        }
        #expect(Self.sameFacts(walked.facts, scanned), "\(why)")
    }

    @Test func spacesAndLineBreaksBetweenTokensAreReadButNotOneLine() throws {
        let pretty = Array(
            "{ \"eventID\" : \"a\" ,\n \"eventName\":\"REMOVE\", \"dynamodb\" : { \"ApproximateCreationDateTime\" : 2 ,\r\n \"Keys\" : { \"k\" : { \"S\" : \"x\" } }, \"SequenceNumber\" : \"7\" } }"
                .utf8
        )
        let fast = try #require(Self.fast(pretty))
        #expect(fast.facts.eventName == .remove && fast.facts.eventTimeMillis == 2000)
        #expect(pretty.withUnsafeBufferPointer { ChangeRecordScanner.scanSingleLine($0) } == nil)
        let compact = Array(
            #"{"eventID":"a","eventName":"REMOVE","dynamodb":{"ApproximateCreationDateTime":2,"Keys":{"k":{"S":"x"}},"SequenceNumber":"7"}}  "#.utf8
        )
        #expect(compact.withUnsafeBufferPointer { ChangeRecordScanner.scanSingleLine($0) } != nil)
    }

    /// Lists nested past the limit are refused by the walk with a message, not a stack overflow.
    @Test func deeplyNestedListsAreRefusedByName() {
        let deep = #"{"k":"# + String(repeating: #"{"L":["#, count: 5000) + String(repeating: "]}", count: 5000) + "}"
        let bytes = Array(deep.utf8)
        let error = bytes.withUnsafeBytes { raw -> ShapeError? in
            var c = JSONCursor(raw)
            do throws(ShapeError) {
                try AttributeValueValidator.validateMap(&c)
                return nil
            } catch {
                return error
            }
        }
        #expect(error?.description.contains("nested too deeply") == true, "\(String(describing: error))")
    }

    /// The map loop alone against the map walk, on every attribute shape.
    @Test(arguments: [
        #"{}"#, #"{"a":{"S":""}}"#, #"{"a":{"N":"-1.5E+3"}}"#, #"{"a":{"N":"1."}}"#, #"{"a":{"N":"abc"}}"#, #"{"a":{"B":"AAEC"}}"#,
        #"{"a":{"B":"AAE"}}"#, #"{"a":{"BOOL":false}}"#, #"{"a":{"BOOL":null}}"#, #"{"a":{"NULL":true}}"#, #"{"a":{"NULL":false}}"#,
        #"{"a":{"M":{}}}"#, #"{"a":{"L":[]}}"#, #"{"a":{"SS":[]}}"#, #"{"a":{"NS":["1","x"]}}"#, #"{"a":{"BS":["AA=="]}}"#,
        #"{"a":{"S":"x","N":"1"}}"#, #"{"a":{}}"#, #"{"a":{"X":"1"}}"#, #"{"a":{"S":"é\u00e9"}}"#, #"{"a":{"S":"\q"}}"#,
        #"{"a":{"L":[{"S":"x"},{"M":{"b":{"NS":["2"]}}}]}}"#, #"{"a":{"L":[{"S":"x"},]}}"#, #"{"a" : { "SS" : [ "x" , "y" ] } }"#,
        #"{"a":{"S":"x"}"#, #"{"a":{"S":"x"}},"#,
    ])
    func mapLoopAgreesWithTheWalk(map: String) {
        let bytes = Array(map.utf8)
        bytes.withUnsafeBytes { raw in
            var fast = JSONCursor(raw)
            var walked = JSONCursor(raw)
            let fastValid = RecordFastPath.validMap(&fast)
            let walkValid = (try? AttributeValueValidator.walkMap(&walked, depth: 0)) != nil
            if fastValid { #expect(walkValid && fast.offset == walked.offset, "\(map)") }
            #expect(fastValid == walkValid, "\(map): the map loop should decide the plain shapes itself")
        }
    }
}
