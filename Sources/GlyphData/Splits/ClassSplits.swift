import GlyphRandom

/// How a user's own dataset is cut into train, validation and test: by class, so that a class
/// is never in two splits and the test classes are ones the model has never seen, as in
/// Omniglot's one-shot protocol.
///
/// The split seed is its own setting, apart from the training seed, so that runs trained with
/// different seeds (or fine-tuned from different models) are scored on the same held-out classes.
public struct ClassSplitPlan: Codable, Sendable, Equatable {
    public var validationFraction: Double
    public var testFraction: Double
    public var seed: UInt64

    public static let defaultValidationFraction = 0.15
    public static let defaultTestFraction = 0.15

    public init(validationFraction: Double = defaultValidationFraction, testFraction: Double = defaultTestFraction,
                seed: UInt64 = 1) {
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.seed = seed
    }

    /// Classes with fewer images than this take no part in training or scoring (no positive pair).
    public static let minimumImagesPerClass = 2
    /// Each split needs this many classes: a pair of different classes, an episode of two ways.
    public static let minimumClassesPerSplit = 2

    /// Cuts `dataset` by class. Classes with a single image are left out (they are returned in
    /// `singleImageClasses`, by name, for the caller to report). Throws when a fraction is out of
    /// range or the data holds too few classes for three splits of at least two classes each.
    public func split(_ dataset: GlyphDataset) throws -> (splits: DataSplits, singleImageClasses: [String]) {
        for (name, f) in [("validation", validationFraction), ("test", testFraction)] where !(f > 0 && f < 1) {
            throw DataError.invalidArgument("the \(name) fraction must lie strictly between 0 and 1, not \(f)")
        }
        guard validationFraction + testFraction < 1 else {
            throw DataError.invalidArgument("the validation and test fractions together must leave classes to train on "
                                            + "(\(validationFraction) + \(testFraction) >= 1)")
        }
        let usable = dataset.imagesOfCharacter.indices.filter {
            dataset.imagesOfCharacter[$0].count >= Self.minimumImagesPerClass
        }
        let single = dataset.imagesOfCharacter.indices.filter { !usable.contains($0) }.map { dataset.characters[$0].name }
        let needed = 3 * Self.minimumClassesPerSplit
        guard usable.count >= needed else {
            throw DataError.invalidArgument(
                "the data holds \(usable.count) classes with at least \(Self.minimumImagesPerClass) images; "
                + "training, validation and test need at least \(Self.minimumClassesPerSplit) each (\(needed) in all)")
        }
        var generator = SeededGenerator(seed: seed).derived(0x5EA1)
        var order = usable
        order.shuffle(using: &generator)
        func count(_ fraction: Double) -> Int {
            max(Self.minimumClassesPerSplit, Int((Double(usable.count) * fraction).rounded()))
        }
        let validationCount = count(validationFraction), testCount = count(testFraction)
        guard usable.count - validationCount - testCount >= Self.minimumClassesPerSplit else {
            throw DataError.invalidArgument(
                "\(usable.count) classes leave fewer than \(Self.minimumClassesPerSplit) to train on after "
                + "\(validationCount) validation and \(testCount) test classes: lower the fractions")
        }
        let test = order.prefix(testCount).sorted()
        let validation = order.dropFirst(testCount).prefix(validationCount).sorted()
        let train = order.dropFirst(testCount + validationCount).sorted()
        return (DataSplits(train: dataset.subset(characters: train), validation: dataset.subset(characters: validation),
                           test: dataset.subset(characters: test)), single)
    }
}
