import Foundation
import GlyphData

/// The images a run trains and is scored on, and what they were: Omniglot (its background set
/// for training, its evaluation set for testing) or a user's folder of classes, split by class.
public struct TrainingData: Sendable {
    public var kind: TrainingConfig.DataKind
    public var splits: DataSplits
    /// One line for the user: what was recognised and how much of it there is.
    public var summary: String
    /// Lines the user should see (classes left out, images skipped, as "warning: ..."), one each.
    public var warnings: [String]

    /// True when `folder` holds Omniglot in one of the forms `Omniglot.load` reads.
    public static func holdsOmniglot(_ folder: URL) -> Bool {
        let fm = FileManager.default
        return ["images_background.npz", "images_background.zip", "images_background"].contains {
            fm.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// Loads the data folder the way `config` describes (Omniglot's split scheme, or the class
    /// split of a user's folder). `config.data` nil means: recognise the folder.
    public static func load(from folder: URL, config: TrainingConfig, skipBadImages: Bool = false,
                            progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> TrainingData {
        let kind = config.data ?? (holdsOmniglot(folder) ? .omniglot : .folder)
        switch kind {
        case .omniglot:
            let (background, evaluation) = try Omniglot.loadBoth(from: folder)
            let splits = makeSplits(background: background, evaluation: evaluation, scheme: config.splits,
                                    validationFraction: config.validationFraction,
                                    validationAlphabets: config.validationAlphabets ?? TrainingConfig.defaultValidationAlphabets, seed: config.seed)
            return TrainingData(kind: .omniglot, splits: splits,
                                summary: "Omniglot: \(background.characters.count) background and "
                                    + "\(evaluation.characters.count) evaluation characters", warnings: [])
        case .folder:
            return try loadFolder(folder, preprocessing: config.model.imagePreprocessing,
                                  plan: config.classSplit ?? ClassSplitPlan(), skipBadImages: skipBadImages, progress: progress)
        }
    }

    /// A user's folder of classes, read as `preprocessing` says (the model's own reading) and
    /// split by class with `plan`.
    public static func loadFolder(_ folder: URL, preprocessing: Preprocessing, plan: ClassSplitPlan, skipBadImages: Bool = false,
                                  progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> TrainingData {
        let (dataset, report) = try UserFolder.load(folder, preprocessing: preprocessing, skipBadImages: skipBadImages) { done, total in
            if total >= 2000 && (done % 1000 == 0 || done == total) { progress("read \(done) of \(total) images") }
        }
        let (splits, _) = try plan.split(dataset)
        let summary = report.lines[0] + "; by class \(splits.train.characters.count) train, "
            + "\(splits.validation.characters.count) validation, \(splits.test.characters.count) test (split seed \(plan.seed))"
        return TrainingData(kind: .folder, splits: splits, summary: summary, warnings: Array(report.lines.dropFirst()))
    }
}
