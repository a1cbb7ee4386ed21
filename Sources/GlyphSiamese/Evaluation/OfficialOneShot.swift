import GlyphData
import GlyphRandom

/// Lake et al.'s 20 official 20-way one-shot runs (`all_runs.zip`): each test image is
/// matched to the nearest of the run's 20 training images; the score is the error rate.
public enum OfficialOneShot {
    public struct RunResult: Codable, Sendable {
        public var run: String
        public var errorPercent: Double
        enum CodingKeys: String, CodingKey { case run; case errorPercent = "error_percent" }
    }

    public struct Result: Codable, Sendable {
        public var runs: [RunResult]
        public var meanErrorPercent: Double
        enum CodingKeys: String, CodingKey { case runs; case meanErrorPercent = "mean_error_percent" }
    }

    /// Scores runs with any distance between a test image and a training image (105x105, ink = 1).
    /// `distances(run)` returns the matrix [test item][training item]. Ties between the nearest
    /// training images are shared out (see `nWayCorrect`), so a constant distance scores chance.
    public static func score(_ runs: [OneShotRun], distances: (OneShotRun) throws -> [[Float]]) rethrows -> Result {
        var generator = SeededGenerator(seed: 20)
        var results = [RunResult]()
        for run in runs {
            let matrix = try distances(run)
            var correct = 0.0
            for (item, answer) in run.answers.enumerated() {
                correct += nWayCorrect(distancesToClasses: matrix[item], trueClass: answer, generator: &generator)
            }
            let items = Double(max(run.answers.count, 1))
            let error = 100 * (items - correct) / items
            results.append(RunResult(run: run.name, errorPercent: error))
        }
        let mean = results.isEmpty ? 0 : results.map(\.errorPercent).reduce(0, +) / Double(results.count)
        return Result(runs: results, meanErrorPercent: mean)
    }

    /// The dataset authors' baseline: modified Hausdorff distance between the ink of two images.
    public static func scoreMHD(_ runs: [OneShotRun]) -> Result {
        score(runs) { run in
            run.test.map { t in run.training.map { modifiedHausdorffDistance(t.image, $0.image, side: 105) } }
        }
    }

    /// A model's embedding distances (images resized to the model's input by area averaging).
    public static func score(_ runs: [OneShotRun], model: SiameseModel) throws -> Result {
        let side = model.config.imageSize
        func prepare(_ image: [Float]) -> [Float] { side == 105 ? image : resizeArea(image, from: 105, to: side) }
        return try score(runs) { run in
            let train = try model.embed(images: run.training.map { prepare($0.image) })
            let test = try model.embed(images: run.test.map { prepare($0.image) })
            return (0..<test.count).map { i in (0..<train.count).map { test.distance(i, to: train, $0) } }
        }
    }
}
