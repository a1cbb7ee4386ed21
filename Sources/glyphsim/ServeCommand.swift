import ArgumentParser
import Dispatch
import Foundation
import GlyphData
import GlyphEngine
import GlyphServe
import GlyphSiamese
import Hummingbird
import Logging
import ServiceLifecycle

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "A web page and a JSON API: draw or drop a glyph, see its nearest characters and a same/different verdict.",
        discussion: """
        Without --data, the Omniglot evaluation set of the data folder ($GLYPHSIM_DATA, then ~/.cache/glyphsim) \
        is embedded at start-up. --data takes an Omniglot data folder (with --sets), an Omniglot npz, a zip or \
        folder in Omniglot's official layout, or a folder of your own <class>/<image>.png. See docs/serve.md.
        """)

    @Argument(help: "A run folder (its best checkpoint is used) or a checkpoint file.")
    var runFolder: String

    @Option(help: "What to search: an Omniglot data folder, an Omniglot npz, an official-layout zip or folder, or a folder of your images.")
    var data: String?

    @Option(help: "Search this index (built by `glyphsim index build` with the same model) instead of embedding --data at start-up.")
    var index: String?

    @Option(help: "Omniglot sets to embed from a data folder, comma-separated: evaluation, background.")
    var sets: String = "evaluation"

    @Option(help: "Address to bind (127.0.0.1: this machine only).")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 8080

    // Both default to the core count: on 2 cores, 2 and 2 served 1.5x the requests of 1 and 1 at
    // concurrency 64, at the same latency alone (docs/serve.md).
    @Option(help: "Compute threads for the forward passes of requests (default: every core; start-up embedding uses every core).")
    var threads: Int?

    @Option(help: "Threads for the network's event loop (default: every core).")
    var eventLoops: Int?

    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
        if let threads { _ = try ThreadsOption.checkedThreads(threads) }
        if let eventLoops, !(1...64).contains(eventLoops) { throw ValidationError("--event-loops must be from 1 to 64, not \(eventLoops)") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        if index != nil && data != nil { throw ValidationError("give --index or --data, not both") }
    }

    func run() throws {
        let chosenSets = try sets.split(separator: ",").map { name -> OmniglotSet in
            guard let set = OmniglotSet(rawValue: name.trimmingCharacters(in: .whitespaces)), set != .user else {
                throw ValidationError("--sets takes evaluation and/or background, not '\(name)'")
            }
            return set
        }
        let checkpoint = try SiameseModel.checkpointURL(for: runFolder)
        let model = try SiameseModel.load(from: checkpoint)
        let collection: any GlyphCollection
        if let index {
            collection = try IndexCollection(file: URL(fileURLWithPath: index), model: model)
            say(collection.summary)
        } else {
            let source = try CollectionSource.detect(data ?? DataLocation.resolve(explicit: nil, environment: ProcessSettings.environment).path, sets: chosenSets)
            ComputeThreads.set(Self.cores)
            say("embedding the collection with \(checkpoint.path) ...")
            let started = Date()
            collection = try InMemoryCollection.embedding(source, with: model)
            say(collection.summary + String(format: " (%.1f s)", Date().timeIntervalSince(started)))
        }
        ComputeThreads.set(threads ?? Self.cores)

        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: runFolder, isDirectory: &isDirectory)
        let embedder = Embedder(model: model)
        let info = ModelInfo(checkpoint: checkpoint, runFolder: isDirectory.boolValue ? URL(fileURLWithPath: runFolder) : nil,
                             embedder: embedder, collection: collection)
        let server = try GlyphServer(embedder: embedder, collection: collection, info: info)
        let host = self.host
        let app = server.application(host: host, port: port, eventLoopThreads: eventLoops ?? Self.cores) { port in
            say("serving on http://\(host):\(port)/ (API under /v1; Ctrl-C to stop)")
        }
        // SIGINT (Ctrl-C) and SIGTERM stop accepting, let open requests finish, then return.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigint, .sigterm],
                                                      logger: server.logger))
        try Self.block { try await group.run() }
        say("stopped")
    }

    /// Runs async work from this synchronous command (the CLI's root command is synchronous).
    /// The main thread only waits; the work runs on Swift's concurrency pool.
    static func block(_ work: @escaping @Sendable () async throws -> Void) throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }  // written before the signal, read after
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await work() } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }
}
