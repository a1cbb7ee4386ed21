import GlyphData
import GlyphEngine
import GlyphSiamese

/// The defaults `glyphsim train --help` states, read from the configurations `train` builds
/// (`TrainingConfig(model: ModelConfig(preset:))`), so that the help cannot drift from the code.
enum TrainDefaults {
    static let fast = TrainingConfig(model: ModelConfig(preset: .fast))
    static let koch = TrainingConfig(model: ModelConfig(preset: .koch))

    /// `"<fast's> fast, <koch's> koch"`.
    static func perPreset(_ value: (TrainingConfig) -> String) -> String {
        "\(value(fast)) fast, \(value(koch)) koch"
    }

    /// 0.2, 0.01, 0 (no trailing ".0").
    static func number(_ x: Float) -> String {
        x == x.rounded() && abs(x) < 1e6 ? String(Int(x)) : "\(x)"
    }

    static func number(_ x: Double) -> String { number(Float(x)) }

    static func onOff(_ value: Bool?) -> String { value == true ? "on" : "off" }

    /// The margin the loss uses when --margin is not given.
    static func margin(_ loss: TrainingConfig.LossKind, _ normalization: ModelConfig.Normalization) -> String {
        var config = fast
        config.loss = loss
        config.model.normalization = normalization
        config.margin = nil
        return number(config.effectiveMargin)
    }

    /// The prototypical loss's temperature when --temperature is not given.
    static func temperature(_ normalization: ModelConfig.Normalization) -> String {
        var config = fast
        config.model.normalization = normalization
        config.temperature = nil
        return number(config.effectiveTemperature)
    }

    /// "80/20": the course-report split of the background set's characters.
    static var trainValidationPercent: String {
        let validation = Int((fast.validationFraction * 100).rounded())
        return "\(100 - validation)/\(validation)"
    }

    static var fastWidths: String { ModelConfig.fastDefaultWidths.map(String.init).joined(separator: ",") }

    /// What `train --help` says above the options: the two presets' recipes, from their configurations.
    static var discussion: String {
        let k = koch, f = fast
        return """
        Defaults follow the course report (SGD, \(k.epochs) epochs, batch \(k.batchSize)) where they suit the preset. \
        The koch preset keeps its plain SGD at learning rate \(number(k.learningRate)) for \(k.epochs) epochs \
        (\(k.loss.rawValue) loss). The fast preset (\(f.model.imageSize)x\(f.model.imageSize)) trains \(f.epochs) epochs \
        with learning rate \(number(f.learningRate)), momentum \(number(f.momentum)) and a \(f.schedule) schedule, \
        quarter-turned characters as extra classes, and by default with the \(f.loss.rawValue) loss over \
        P x K = \(f.batchSize / f.imagesPerCharacter) x \(f.imagesPerCharacter) batches grouped by alphabet, which \
        measured best there; --loss triplet (batch-all mining, margin \(margin(.triplet, .l2))) and --loss contrastive \
        (the course report's eq. (1)) run the course report's losses.
        --data DIR takes Omniglot or a folder of <class>/<image> or <group>/<class>/<image> (PNG, JPEG, TIFF), split \
        by class into train, validation and test (--validation-fraction, --test-fraction, --split-seed). \
        --init RUN_DIR fine-tunes a trained model: its architecture and image reading are kept.
        Ctrl-C stops after the current step and saves; --resume RUN_DIR continues.
        """
    }
}
