import Foundation
import StreamModel
import Testing

/// Property tests: seeded random native records with every attribute type, random nesting, edge-case numbers,
/// empty strings/maps, unicode and escapes. native -> X -> native must give back the input byte for byte
/// (the generator writes compact JSON in the converter's field order, so "byte-exact" is the guarantee tested).
struct ConversionRoundTripTests {
    static let count = 300

    func check(
        via target: RecordFormat,
        seed: UInt64,
        timeDecimals: Int = 0,
        options: ConversionOptions = ConversionOptions(tableName: "orders"),
        useEnvelope: Bool = false
    ) throws {
        var generator = NativeRecordGenerator(rng: SeededGenerator(seed: seed), timeDecimals: timeDecimals)
        var forward = RecordConverter(from: .native, to: target, options: options)
        for n in 0..<Self.count {
            let (json, view) = generator.record(n)
            let input = Array(json.utf8)
            let middle = try forward.convert(input)
            var backOptions = options
            backOptions.viewType = view
            var backward = RecordConverter(from: target, to: .native, options: backOptions)
            var envelope: RecordEnvelope?
            if useEnvelope, case .string(let seq)? = try JSONValue(input)["dynamodb"]?["SequenceNumber"] {
                envelope = RecordEnvelope(sequenceNumber: seq)
            }
            let back = try backward.convert(middle, envelope: envelope)
            #expect(String(decoding: back, as: UTF8.self) == json, "seed \(seed) record \(n) via \(target.rawValue)")
        }
    }

    @Test(arguments: [RecordFormat.native, .lambdaDynamoDB, .kinesisRecord, .lambdaKinesis])
    func nativeRoundTripsByteExactly(_ target: RecordFormat) throws {
        try check(via: target, seed: 42)
    }

    @Test func nativeThroughKDSRoundTripsWithEnvelopeSequenceNumber() throws {
        try check(via: .kds, seed: 7, useEnvelope: true)
    }

    @Test(arguments: [(TimePrecision.millisecond, 3), (.microsecond, 6)])
    func fractionalSecondsSurviveKDSPrecision(_ precision: TimePrecision, _ decimals: Int) throws {
        for target in [RecordFormat.kds, .kinesisRecord, .lambdaKinesis] {
            try check(
                via: target,
                seed: 99,
                timeDecimals: decimals,
                options: ConversionOptions(tableName: "orders", timePrecision: precision),
                useEnvelope: target == .kds
            )
        }
    }

    @Test func kdsToKinesisAndBackKeepsThePayloadExactly() throws {
        var generator = NativeRecordGenerator(rng: SeededGenerator(seed: 5))
        var toKDS = RecordConverter(from: .native, to: .kds, options: ConversionOptions(tableName: "orders"))
        var toKinesis = RecordConverter(from: .kds, to: .kinesisRecord)
        var back = RecordConverter(from: .kinesisRecord, to: .kds)
        for n in 0..<100 {
            let kds = try toKDS.convert(Array(generator.record(n).json.utf8))
            let record = try toKinesis.convert(kds, envelope: RecordEnvelope(sequenceNumber: "4959\(n)"))
            #expect(try back.convert(record) == kds)
        }
    }

    @Test func plainOfGeneratedRecordsIsValidJSONWithTheSameShape() throws {
        var generator = NativeRecordGenerator(rng: SeededGenerator(seed: 11))
        var toPlain = RecordConverter(from: .native, to: .plain)
        for n in 0..<Self.count {
            let input = Array(generator.record(n).json.utf8)
            let plain = try toPlain.convert(input)
            // Foundation's strict parser accepts it (every N became a valid JSON number).
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(plain)) }
            #expect(try JSONValue(plain)["eventID"] == (try JSONValue(input))["eventID"])
        }
    }
}
