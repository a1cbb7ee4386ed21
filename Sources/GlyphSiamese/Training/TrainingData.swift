import Foundation
import GlyphData

/// The images a run trains and is scored on, and what they were: Omniglot (its background set
/// for training, its evaluation set for testing) or a user's folder of classes, split by class.
public struct TrainingData: Sendable {
    public var kind: TrainingConfig.DataKind
    public var splits: DataSplits
    /// One line for the user: what was recognised and how much of it there is.
    public var summary: String
    /// Things the user should know (classes left out, images skipped), one line each.
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
                                    validationAlphabets: config.validationAlphabets ?? 6, seed: config.seed)
            return TrainingData(kind: .omniglot, splits: splits,
                                summary: "Omniglot: \(background.characters.count) background and "
                                    + "\(evaluation.characters.count) evaluation characters", warnings: [])
        case .folder:
            return try loadFolder(folder, side: config.model.imageSize, plan: config.classSplit ?? ClassSplitPlan(),
                                  skipBadImages: skipBadImages, progress: progress)
        }
    }

    /// A user's folder of classes, read at `side` and split by class with `plan`.
    public static func loadFolder(_ folder: URL, side: Int, plan: ClassSplitPlan, skipBadImages: Bool = false,
                                  progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> TrainingData {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw DataError.missingFile(folder.path)
        }
        guard isFolder.boolValue else {
            throw DataError.badLayout(path: folder.path, reason: "holds neither Omniglot nor a folder of class folders")
        }
        let dataset = try UserImages.loadFolder(folder, side: side)
        let (splits, single) = try plan.split(dataset)
        var warnings = [String]()
        if !single.isEmpty {
            warnings.append("\(single.count) classes hold a single image and take no part in training or scoring "
                            + "(usable in an index): " + single.prefix(5).joined(separator: ", ")
                            + (single.count > 5 ? ", ..." : ""))
        }
        let groups = dataset.alphabets.count
        let summary = "a folder of classes: \(dataset.characters.count) classes in \(groups) group\(groups == 1 ? "" : "s"), "
            + "\(dataset.imageCount) images; by class \(splits.train.characters.count) train, "
            + "\(splits.validation.characters.count) validation, \(splits.test.characters.count) test (split seed \(plan.seed))"
        return TrainingData(kind: .folder, splits: splits, summary: summary, warnings: warnings)
    }
}
