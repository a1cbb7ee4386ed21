import ArgumentParser
import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese

private typealias D = TrainDefaults

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Siamese model on Omniglot or on a folder of your own glyph classes (validation on held-out classes).",
        discussion: TrainDefaults.discussion
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Run folder for checkpoints, config, log and loss plot.")
    var out: String = "runs/default"

    @Option(help: "Continue the interrupted run in this folder (its saved configuration is used).")
    var resume: String?

    @Option(help: "Start from this trained run (or checkpoint) and fine-tune it; its architecture and image reading are kept. Default learning rate: a tenth of the preset's.")
    var `init`: String?

    @Option(help: "A folder of classes: the fraction of classes held out for validation (default \(ClassSplitPlan.defaultValidationFraction)).")
    var validationFraction: Double?
    @Option(help: "A folder of classes: the fraction of classes held out for testing (default \(ClassSplitPlan.defaultTestFraction)).")
    var testFraction: Double?
    @Option(help: "A folder of classes: seed of the split by class (apart from --seed, so runs of different seeds share held-out classes).")
    var splitSeed: UInt64 = ClassSplitPlan().seed
    @Flag(help: "Report unreadable images as warnings and go on, instead of stopping at the first.")
    var skipBadImages = false
    @Flag(help: "No progress bar or status lines on standard error (the epoch lines and warnings stay).")
    var quiet = false

    @Option(help: "Model preset: fast (the CPU default, \(D.fast.model.summary)) or koch (the course report's network at 105x105).")
    var preset: ModelConfig.Preset = D.fast.model.preset

    @Option(help: "Loss: triplet, contrastive (the course report's eq. (1)) or prototypical (each image classified among the batch's characters) (default: \(D.perPreset { $0.loss.rawValue })).")
    var loss: TrainingConfig.LossKind?

    @Option(help: "Epochs (default: \(D.perPreset { String($0.epochs) })).")
    var epochs: Int?
    @Option(help: "Images per step (pairs take 2, triplets 3; default \(D.fast.batchSize), fewer when a small folder of classes holds fewer).")
    var batchSize: Int?
    @Option(help: "Learning rate (default: \(D.perPreset { D.number($0.learningRate) }); a tenth of the starting model's preset's with --init).")
    var lr: Float?
    @Option(help: "Optimizer: sgd, adam or adamw.") var optimizer: OptimizerKind = D.fast.optimizer
    @Option(help: "SGD momentum (default: \(D.perPreset { D.number($0.momentum) })).") var momentum: Float?
    @Flag(help: "Nesterov momentum.") var nesterov = D.fast.nesterov
    @Option(help: "Weight decay.") var weightDecay: Float = D.fast.weightDecay
    @Option(help: "Learning-rate schedule: constant, exp:RATE (per epoch), step:EPOCHS:FACTOR, cosine[:MIN] (default: \(D.perPreset { "\($0.schedule)" })).")
    var schedule: String?
    @Option(help: "Loss margin (default: \(D.margin(.contrastive, .l2)) contrastive; triplet \(D.margin(.triplet, .l2)) with L2-normalized embeddings, else \(D.margin(.triplet, .none))).")
    var margin: Float?
    @Option(help: "Prototypical loss: softmax temperature over squared distances (default \(D.temperature(.l2)) with L2-normalized embeddings, else \(D.temperature(.none))).")
    var temperature: Float?
    @Option(help: "Contrastive pairs: all (every pair of a P x K batch) or random (independent pairs, as the course report).")
    var pairMining: TrainingConfig.PairMining = D.fast.pairMining
    // Optional, with the default stated here: the parser would print the Swift case name.
    @Option(help: "Triplet negatives: batch-all, batch-hard, semi-hard or random (default: \(D.fast.mining.argumentName)).")
    var mining: TripletMining?
    @Flag(help: "Triplet loss with the course report's squared hinge.") var squaredHinge = D.fast.squaredHinge
    @Flag(help: "Triplet loss with the swap: negative distance = min(D(a,n), D(p,n)).") var swap = D.fast.swap
    @Option(help: "Images of each character in a P x K batch (default: \(TrainingConfig.defaultImagesPerCharacter(for: .prototypical)) prototypical, \(TrainingConfig.defaultImagesPerCharacter(for: .triplet)) triplet and contrastive).")
    var imagesPerCharacter: Int?
    @Option(help: "Negatives from the same alphabet (P x K batches grouped by alphabet) or from anywhere (default: \(D.fast.negatives.argumentName)).")
    var negatives: NegativeSource?
    @Option(help: "Input image side (Omniglot's 105 is area-resized) (default: \(D.perPreset { String($0.model.imageSize) })).")
    var imageSize: Int?
    @Option(help: "Channels of every conv block (fast preset; default: the widths below).") var width: Int?
    @Option(help: "Channels of each of the fast preset's four blocks, comma-separated (default \(D.fastWidths)); overrides --width.")
    var widths: String?
    @Option(help: "Blocks of the fast preset that end with a 2x2 max-pool, from the first (default \(D.fast.model.poolCount)).") var pools: Int?
    @Option(help: "Embedding size (default: \(D.perPreset { String($0.model.embeddingSize) })).") var embeddingSize: Int?
    @Option(help: "Embedding normalization: l2 or none (default: \(D.perPreset { $0.model.normalization.rawValue })).")
    var normalization: ModelConfig.Normalization?
    @Option(name: .customLong("augment"), help: "Koch's random affine distortion: on or off.")
    var augmentText: String = D.onOff(D.fast.augment)
    @Option(name: .customLong("rotate-characters"),
            help: "Class augmentation: each training character turned 90, 180 and 270 degrees as three new characters: on or off (default: \(D.perPreset { D.onOff($0.rotatedCharacters) })).")
    var rotateCharactersText: String?
    @Option(name: .customLong("mirror-characters"),
            help: "Class augmentation: each training character (turned ones too) mirrored left to right as a new character: on or off (default: \(D.perPreset { D.onOff($0.mirroredCharacters) })).")
    var mirrorCharactersText: String?
    @Option(help: "Seed of every random choice.") var seed: UInt64 = D.fast.seed
    @Option(help: "Omniglot splits: course-report (background \(D.trainValidationPercent) by character, as the course report; evaluation = test; `seed` is its old name), koch (by drawer) or alphabets (--validation-alphabets whole background alphabets for validation: for choosing recipes).")
    var splits: SplitScheme = D.fast.splits
    @Option(help: "With --splits alphabets: background alphabets held out for validation (default \(TrainingConfig.defaultValidationAlphabets) of 30).")
    var validationAlphabets: Int?
    @Option(help: "Stop after this many epochs without better validation one-shot accuracy (0: never).")
    var patience: Int = D.fast.earlyStoppingPatience
    @Option(help: "Images per epoch (default: the training split's size).") var imagesPerEpoch: Int?

    /// The run's configuration: the preset's defaults (TrainingConfig.init(model:epochs:)), or with
    /// `--init` the starting model's architecture and image reading, and the options given here.
    func makeConfig(startingFrom initial: (model: SiameseModel, file: String)? = nil) throws -> TrainingConfig {
        var config: TrainingConfig
        if let initial {
            let architectureOptions: [(String, Bool)] = [("--image-size", imageSize != nil), ("--width", width != nil),
                ("--widths", widths != nil), ("--pools", pools != nil), ("--embedding-size", embeddingSize != nil),
                ("--normalization", normalization != nil)]
            if let given = architectureOptions.first(where: { $0.1 }) {
                throw ValidationError("\(given.0) cannot change the architecture of the model that --init starts from")
            }
            config = TrainingConfig(model: initial.model.config, epochs: epochs)
            config.learningRate /= 10
            config.initializedFrom = initial.file + " (model \(initial.model.fingerprint))"
        } else {
            config = TrainingConfig(model: ModelConfig(preset: preset, imageSize: imageSize, width: width,
                                                       embeddingSize: embeddingSize, normalization: normalization,
                                                       pools: pools, widths: try parseWidths()),
                                    epochs: epochs)
        }
        if let loss { config.loss = loss }
        if let batchSize { config.batchSize = batchSize }
        if let lr { config.learningRate = lr }
        config.optimizer = optimizer
        if let momentum { config.momentum = momentum }
        config.nesterov = nesterov
        config.weightDecay = weightDecay
        if let schedule { config.schedule = try LearningRateSchedule.parse(schedule, totalEpochs: config.epochs) }
        config.margin = margin
        config.temperature = temperature
        if let mining { config.mining = mining }
        config.pairMining = pairMining
        config.squaredHinge = squaredHinge
        config.swap = swap
        config.imagesPerCharacter = imagesPerCharacter ?? TrainingConfig.defaultImagesPerCharacter(for: config.loss)
        if let negatives { config.negatives = negatives }
        config.augment = try onOff(augmentText, option: "--augment")
        if let rotateCharactersText { config.rotatedCharacters = try onOff(rotateCharactersText, option: "--rotate-characters") }
        if let mirrorCharactersText { config.mirroredCharacters = try onOff(mirrorCharactersText, option: "--mirror-characters") }
        config.seed = seed
        config.splits = splits
        if let validationAlphabets {
            guard splits == .alphabets else { throw ValidationError("--validation-alphabets needs --splits alphabets") }
            guard validationAlphabets >= 1 && validationAlphabets <= 29 else {
                throw ValidationError("--validation-alphabets must lie in 1...29 (the background set has 30), not \(validationAlphabets)")
            }
            config.validationAlphabets = validationAlphabets
        }
        config.earlyStoppingPatience = patience
        config.imagesPerEpoch = imagesPerEpoch
        try config.validate()
        return config
    }

    func parseWidths() throws -> [Int]? {
        guard let widths else { return nil }
        let parts = widths.split(separator: ",", omittingEmptySubsequences: false)
        let channels = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, channels.count == 4, channels.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--widths takes four positive channel counts separated by commas, not '\(widths)'")
        }
        return channels
    }

    func onOff(_ text: String, option: String) throws -> Bool {
        switch text {
        case "on", "true", "yes": return true
        case "off", "false", "no": return false
        default: throw ValidationError("\(option) takes on or off, not \(text)")
        }
    }

    func run() throws {
        try common.applyThreads()
        let folder: RunFolder
        var config: TrainingConfig
        var initial: (model: SiameseModel, file: String)?
        let dataFolder = common.dataFolder
        if let resume {
            folder = RunFolder(URL(fileURLWithPath: resume))
            config = try folder.readConfig()
        } else {
            folder = RunFolder(URL(fileURLWithPath: out))
            if let start = self.`init` {
                let file = try SiameseModel.checkpointURL(for: start)
                initial = (try SiameseModel.load(from: file), file.path)
            }
            config = try makeConfig(startingFrom: initial)
            config.data = TrainingData.holdsOmniglot(dataFolder) ? .omniglot : .folder
            if config.data == .folder {
                config.classSplit = ClassSplitPlan(
                    validationFraction: validationFraction ?? ClassSplitPlan.defaultValidationFraction,
                    testFraction: testFraction ?? ClassSplitPlan.defaultTestFraction, seed: splitSeed)
            } else if testFraction != nil {
                throw ValidationError("--test-fraction applies to a folder of classes; Omniglot's test set is its evaluation set")
            } else if let validationFraction {
                config.validationFraction = validationFraction
            }
        }
        let quiet = self.quiet
        let status: @Sendable (String) -> Void = { text in if !quiet { printError("glyphsim: " + text) } }
        status("loading \(dataFolder.path)")
        let data = try TrainingData.load(from: dataFolder, config: config, skipBadImages: skipBadImages, progress: status)
        status(data.summary)
        for line in data.warnings { printError(line) }
        let splits = data.splits
        if resume == nil && batchSize == nil, config.usesClassBatches {
            // A small folder of classes cannot fill P x K batches of 256: take every class once.
            let classes = splits.train.characters.count * (config.rotatedCharacters == true ? 4 : 1)
                * (config.mirroredCharacters == true ? 2 : 1)
            let fits = classes * config.imagesPerCharacter
            if fits < config.batchSize {
                config.batchSize = fits
                status("batches of \(fits) images (\(classes) training classes x \(config.imagesPerCharacter))")
            }
            try config.validate()
        }
        let trainer = try Trainer(config: config, splits: splits, folder: folder, initialModel: initial?.model)
        // The command prints the trainer's warnings itself (below), once.
        trainer.logger.logLevel = .error
        if resume != nil {
            if !trainer.hasCheckpoint {
                say("no checkpoint yet in \(folder.url.path) (stopped before its first one was complete): starting the run from the beginning")
            }
            try trainer.resume()
        } else {
            try trainer.start()
        }
        Interruption.install()

        var bar = ProgressBar()
        let outcome = try trainer.run { event in
            switch event {
            case let .started(plan):
                say("training \(config.loss.rawValue) loss on \(config.model.summary), \(plan.parameterCount) parameters, "
                      + "\(plan.trainCharacters) characters (\(plan.trainImages) images), "
                      + "\(plan.validationCharacters) validation characters, \(plan.stepsPerEpoch) steps of \(config.batchSize) images per epoch, "
                      + "\(ComputeThreads.count) threads")
                printError("glyphsim: plan: \(trainer.model.plan.describe(inputShape: trainer.model.inputShape))")
                if plan.startEpoch > 0 || plan.startStep > 0 {
                    say("resuming at epoch \(plan.startEpoch + 1), step \(plan.startStep + 1)")
                }
            case let .step(epoch, step, steps, loss, rate, left):
                if !quiet { bar.draw(label: "epoch \(epoch)/\(config.epochs)", done: step, total: steps,
                         detail: String(format: "loss %.4f  %.0f img/s  ", loss, rate) + clock(left) + " left") }
            case let .epochFinished(s):
                say(String(format: "epoch %d/%d  loss %.4f  %.0fs  %.0f img/s  val pair acc %.4f  val 20-way 1-shot %.2f%% ±%.2f  threshold %.3f",
                             s.epoch, config.epochs, s.meanLoss, s.seconds, s.imagesPerSecond, s.validationPairAccuracy,
                             100 * s.validationOneShot.accuracy, 100 * s.validationOneShot.ci95, s.threshold)
                      + (s.isBest ? "  (best)" : ""))
            case let .warning(text):
                printError("warning: \(text)")
            }
        }
        switch outcome {
        case let .finished(epochs):
            say("finished \(epochs) epochs; run folder \(folder.url.path)")
        case let .stoppedEarly(epoch):
            say("stopped early after epoch \(epoch) (no better validation accuracy for \(config.earlyStoppingPatience) epochs); run folder \(folder.url.path)")
        case let .interrupted(epoch, step):
            say("interrupted: saved; continue with `glyphsim train --resume \(folder.url.path)` (epoch \(epoch), step \(step))")
            throw ExitCode(130)
        }
    }
}
