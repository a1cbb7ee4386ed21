import ArgumentParser
import Foundation
import GlyphData
import GlyphEngine
import GlyphSiamese

/// Options every command that touches data or compute shares: `--data` and `--threads`.
struct CommonOptions: ParsableArguments {
    @Option(help: "Folder holding Omniglot (npz files, the official zips or their folders). Default: $GLYPHSIM_DATA, then ~/.cache/glyphsim.")
    var data: String?

    @OptionGroup var compute: ThreadsOption

    func applyThreads() throws { try compute.apply() }

    var dataFolder: URL { DataLocation.resolve(explicit: data, environment: ProcessSettings.environment) }
}

/// `--threads`, for every command that computes.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Compute threads (default: $GLYPHSIM_THREADS, else every core).")
    var threads: Int?

    func validate() throws {
        if let threads { _ = try Self.checkedThreads(threads) }
    }

    /// Sets the compute threads when `--threads` was given; returns the count in use.
    @discardableResult
    func apply() throws -> Int {
        if let threads { ComputeThreads.set(try Self.checkedThreads(threads)) }
        return ComputeThreads.count
    }

    /// Most compute threads: more threads than 4 per core only wait on each other (10,000
    /// threads stalled the machine), so such a value is refused rather than obeyed.
    static var maxThreads: Int { max(4 * ProcessInfo.processInfo.activeProcessorCount, 4) }

    /// `threads` when it lies in 1...maxThreads; otherwise an error naming the option.
    static func checkedThreads(_ threads: Int) throws -> Int {
        guard (1...maxThreads).contains(threads) else {
            throw ValidationError("--threads must lie in 1...\(maxThreads) (4 per core of this machine), not \(threads)")
        }
        return threads
    }
}

/// `--json` and `--quiet`, for every command that prints a result.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as JSON (snake_case keys).")
    var json = false

    @Flag(help: "Print no progress or status lines on standard error, only the result, warnings and errors.")
    var quiet = false

    /// A status line (loading, progress summaries) on standard error, unless --quiet.
    func status(_ text: String) {
        if !quiet { printError(text) }
    }

    /// Prints `value` as one line of JSON with sorted keys.
    func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Types name their keys in snake_case; this catches any camelCase key they forget.
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

extension ModelConfig.Preset: ExpressibleByArgument {}
extension ModelConfig.Normalization: ExpressibleByArgument {}
extension TrainingConfig.LossKind: ExpressibleByArgument {}
extension TrainingConfig.PairMining: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension SplitScheme: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
extension UserImages.Polarity: ExpressibleByArgument {}

extension NegativeSource: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "anywhere": self = .anywhere
        case "same-alphabet", "sameAlphabet": self = .sameAlphabet
        default: return nil
        }
    }
    public static var allValueStrings: [String] { ["anywhere", "same-alphabet"] }
    /// The value as the command line spells it (its raw value is config.json's camelCase).
    var argumentName: String { self == .anywhere ? "anywhere" : "same-alphabet" }
}

extension TripletMining: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "random": self = .random
        case "semi-hard", "semiHard": self = .semiHard
        case "batch-hard", "batchHard": self = .batchHard
        case "batch-all", "batchAll": self = .batchAll
        default: return nil
        }
    }
    public static var allValueStrings: [String] { ["random", "semi-hard", "batch-hard", "batch-all"] }
    /// The value as the command line spells it (its raw value is config.json's camelCase).
    var argumentName: String {
        switch self {
        case .random: "random"
        case .semiHard: "semi-hard"
        case .batchHard: "batch-hard"
        case .batchAll: "batch-all"
        }
    }
}


/// Writes to standard error (progress, warnings), keeping standard output for results.
func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

/// Formats seconds as m:ss or h:mm:ss.
func clock(_ seconds: Double) -> String {
    let s = Int(max(0, seconds.isFinite ? seconds : 0).rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}

/// Prints a line to standard output at once (unbuffered), so progress reaches a log file or
/// a pipe as it happens, not when the process ends.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
