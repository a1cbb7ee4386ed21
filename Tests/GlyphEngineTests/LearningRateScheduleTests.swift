import Foundation
import Testing
@testable import GlyphEngine

@Test func schedulesComputeTheirRates() {
    #expect(LearningRateSchedule.constant.learningRate(base: 0.1, epoch: 7) == 0.1)

    let koch = LearningRateSchedule.exponential(decayPerEpoch: 0.01)
    #expect(koch.learningRate(base: 0.1, epoch: 0) == 0.1)
    #expect(abs(koch.learningRate(base: 0.1, epoch: 1) - 0.099) < 1e-8)
    #expect(abs(koch.learningRate(base: 0.1, epoch: 100) - Float(0.1 * pow(0.99, 100.0))) < 1e-8)

    let halving = LearningRateSchedule.step(everyEpochs: 5, factor: 0.5)
    #expect([0, 4, 5, 9, 10, 15].map { halving.learningRate(base: 1, epoch: $0) } == [1, 1, 0.5, 0.5, 0.25, 0.125])

    let cosine = LearningRateSchedule.cosine(totalEpochs: 10, minimum: 0.001)
    #expect(cosine.learningRate(base: 0.1, epoch: 0) == 0.1)
    #expect(abs(cosine.learningRate(base: 0.1, epoch: 5) - 0.0505) < 1e-7, "halfway is the mean of base and minimum")
    #expect(abs(cosine.learningRate(base: 0.1, epoch: 10) - 0.001) < 1e-9)
    #expect(abs(cosine.learningRate(base: 0.1, epoch: 30) - 0.001) < 1e-9, "stays at the minimum after the end")
    let rates = (0...10).map { cosine.learningRate(base: 0.1, epoch: $0) }
    #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 }, "cosine decreases monotonically: \(rates)")
}

@Test func parsesTheCommandLineForms() throws {
    #expect(try LearningRateSchedule.parse("constant", totalEpochs: 20) == .constant)
    #expect(try LearningRateSchedule.parse("exp:0.01", totalEpochs: 20) == .exponential(decayPerEpoch: 0.01))
    #expect(try LearningRateSchedule.parse("step:5:0.5", totalEpochs: 20) == .step(everyEpochs: 5, factor: 0.5))
    #expect(try LearningRateSchedule.parse("cosine", totalEpochs: 20) == .cosine(totalEpochs: 20, minimum: 0))
    #expect(try LearningRateSchedule.parse("cosine:0.0001", totalEpochs: 20) == .cosine(totalEpochs: 20, minimum: 0.0001))
    for schedule: LearningRateSchedule in [.constant, .exponential(decayPerEpoch: 0.01), .step(everyEpochs: 5, factor: 0.5),
                                           .cosine(totalEpochs: 20, minimum: 0.0001)] {
        #expect(try LearningRateSchedule.parse(schedule.description, totalEpochs: 20) == schedule, "\(schedule)")
    }
}

@Test(arguments: ["", "linear", "exp", "exp:abc", "exp:1.5", "exp:-0.1", "step:5", "step:0:0.5", "step:x:0.5",
                  "step:5:-1", "cosine:-1", "cosine:1:2", "constant:3", "exp:nan"])
func refusesMalformedSchedules(_ text: String) {
    do {
        _ = try LearningRateSchedule.parse(text, totalEpochs: 20)
        Issue.record("'\(text)' was accepted")
    } catch let EngineError.invalidArgument(message) {
        #expect(message.contains("'\(text)'") && message.contains("expected one of"), "unclear message: \(message)")
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Test func cosineNeedsAPositiveEpochCount() {
    #expect(throws: EngineError.self) { try LearningRateSchedule.parse("cosine", totalEpochs: 0) }
}

@Test func scheduleRoundTripsThroughJSON() throws {
    let schedules: [LearningRateSchedule] = [.constant, .exponential(decayPerEpoch: 0.01),
                                             .step(everyEpochs: 3, factor: 0.1), .cosine(totalEpochs: 50, minimum: 1e-5)]
    let data = try JSONEncoder().encode(schedules)
    #expect(try JSONDecoder().decode([LearningRateSchedule].self, from: data) == schedules)
}
