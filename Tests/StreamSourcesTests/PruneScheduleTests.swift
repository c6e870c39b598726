import Testing

@testable import StreamSources

struct PruneScheduleTests {
    @Test func retentionRunsAtTheFirstRoundThenHourly() {
        var schedule = PruneSchedule(interval: .seconds(3600))
        let rounds: [(Duration, Bool)] = [
            (.zero, true), (.seconds(1), false), (.seconds(3599), false), (.seconds(3600), true), (.seconds(5000), false), (.seconds(7300), true),
        ]
        for (elapsed, due) in rounds {
            let ran = schedule.isDue(at: elapsed)
            #expect(ran == due, "at \(elapsed)")
        }
    }

    @Test func noIntervalNeverRuns() {
        var schedule = PruneSchedule(interval: nil)
        let first = schedule.isDue(at: .zero)
        let later = schedule.isDue(at: .seconds(100_000))
        #expect(!first && !later)
    }
}
