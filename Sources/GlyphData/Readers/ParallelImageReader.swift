import Dispatch
import Foundation

/// Reads image files into consecutive `side*side` byte slots of one buffer (ink = 255) on
/// several threads. Workers take chunks of files in turn, so the result does not depend on the
/// thread count or timing; only failures are collected, sorted by file index.
struct ParallelImageReader: @unchecked Sendable {
    struct Failure: Sendable {
        var index: Int
        var error: Error
    }

    let urls: [URL]
    let preprocessing: Preprocessing
    /// `urls.count * side * side` bytes; each worker writes only the slots of its own files.
    let destination: UnsafeMutableBufferPointer<UInt8>
    let stopAtFirstFailure: Bool
    let progress: (@Sendable (Int, Int) -> Void)?

    static let chunk = 64

    func run(threads: Int) -> [Failure] {
        let state = SharedState()
        let chunks = (urls.count + Self.chunk - 1) / Self.chunk
        let workers = max(1, min(threads, chunks))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let c = state.nextChunk(of: chunks) {
                let range = (c * Self.chunk)..<min(urls.count, (c + 1) * Self.chunk)
                var failures = [Failure]()
                for i in range { if let failure = read(i) { failures.append(failure) } }
                state.finish(range.count, of: urls.count, failures: failures,
                             stop: stopAtFirstFailure && !failures.isEmpty, progress: progress)
            }
        }
        return state.failures.sorted { $0.index < $1.index }
    }

    private func read(_ i: Int) -> Failure? {
        do {
            let image = try UserImages.load(file: urls[i], preprocessing: preprocessing)
            let n = preprocessing.side * preprocessing.side
            let base = destination.baseAddress! + i * n
            for j in 0..<n { base[j] = UInt8((image[j] * 255).rounded()) }
            return nil
        } catch {
            return Failure(index: i, error: error)
        }
    }

    /// The next chunk to read, the count done and the failures, behind one lock. With
    /// `stopAtFirstFailure`, the first failure ends the handing out of chunks (the error is
    /// thrown anyway, so the rest need not be read).
    private final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0, done = 0, stopped = false
        private(set) var failures = [Failure]()

        func nextChunk(of count: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard !stopped, next < count else { return nil }
            next += 1
            return next - 1
        }

        /// Records a finished chunk and reports progress, under the lock: one call at a time,
        /// with counts that only grow.
        func finish(_ count: Int, of total: Int, failures new: [Failure], stop: Bool,
                    progress: (@Sendable (Int, Int) -> Void)?) {
            lock.lock(); defer { lock.unlock() }
            done += count
            failures += new
            if stop { stopped = true }
            progress?(done, total)
        }
    }
}
