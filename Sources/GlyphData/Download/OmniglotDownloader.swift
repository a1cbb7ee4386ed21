import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A file to download and the facts to check it against.
public struct RemoteFile: Sendable, Equatable {
    public var url: URL
    /// Name of the file in the data folder.
    public var fileName: String
    /// Expected md5 (lowercase hex); when nil, the file must at least open as a zip.
    public var md5: String?
    /// Expected size in bytes, when known.
    public var size: Int64?

    public init(url: URL, fileName: String, md5: String?, size: Int64?) {
        self.url = url
        self.fileName = fileName
        self.md5 = md5
        self.size = size
    }

    /// The official zips, from the Omniglot repository (addresses and sums as its authors publish them).
    public static let official: [RemoteFile] = [
        RemoteFile(url: URL(string: "https://github.com/brendenlake/omniglot/raw/master/python/images_background.zip")!,
                   fileName: "images_background.zip", md5: "68d2efa1b9178cc56df9314c21c6e718", size: 9_464_212),
        RemoteFile(url: URL(string: "https://github.com/brendenlake/omniglot/raw/master/python/images_evaluation.zip")!,
                   fileName: "images_evaluation.zip", md5: "6b91aef0f799c5bb55b94e3f2daec811", size: 6_462_886),
        RemoteFile(url: URL(string: "https://github.com/brendenlake/omniglot/raw/master/python/one-shot-classification/all_runs.zip")!,
                   fileName: "all_runs.zip", md5: nil, size: nil),
    ]
}

/// Downloads files into a data folder so that only verified files ever carry their final name:
/// each goes to a temporary file beside it, is checked (size, md5, or that it opens as a zip),
/// and is then renamed into place. An interrupted or corrupt download leaves nothing that a
/// reader would take for data, and files already present and verified are not downloaded again.
public struct OmniglotDownloader {
    public var folder: URL
    public var sources: [RemoteFile]
    /// Seconds without progress before a download is abandoned.
    public var timeout: TimeInterval = 60

    public init(folder: URL, sources: [RemoteFile] = RemoteFile.official) {
        self.folder = folder
        self.sources = sources
    }

    /// Fetches every source not already verified in the folder. `progress(fileName, received, total)`
    /// is called on the calling thread a few times a second while a file downloads, and once at its end.
    /// Returns the names of the files it downloaded (those already in place are skipped).
    @discardableResult
    public func fetch(progress: (String, Int64, Int64?) -> Void) throws -> [String] {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.badLayout(path: folder.path, reason: "cannot create the data folder (\(error.localizedDescription))")
        }
        removeStalePartials()
        var downloaded = [String]()
        for source in sources {
            let target = folder.appendingPathComponent(source.fileName)
            if FileManager.default.fileExists(atPath: target.path) {
                if (try? verify(file: target, against: source)) != nil { continue }
                // Present but not what it should be: replace it.
            }
            try download(source, to: target, progress: progress)
            downloaded.append(source.fileName)
        }
        return downloaded
    }

    /// Throws `DataError.download` unless `file` matches the source's size, md5, or (with no md5) opens as a zip.
    public func verify(file: URL, against source: RemoteFile) throws {
        let fail = { (reason: String) in DataError.download(url: source.url.absoluteString, reason: reason) }
        guard let handle = FileHandle(forReadingAtPath: file.path) else { throw fail("\(file.path) cannot be read") }
        defer { try? handle.close() }
        var md5 = MD5(), size: Int64 = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            size += Int64(chunk.count)
            chunk.withUnsafeBytes { md5.update($0) }
        }
        if let expected = source.size, expected != size {
            throw fail("\(file.lastPathComponent) has \(size) bytes, expected \(expected)")
        }
        if let expected = source.md5 {
            let found = md5.hexDigest()
            guard found == expected.lowercased() else {
                throw fail("\(file.lastPathComponent) has md5 \(found), expected \(expected)")
            }
        } else if source.fileName.hasSuffix(".zip") {
            do { _ = try ZipSource(url: file) } catch { throw fail("\(file.lastPathComponent) is not a zip archive") }
        }
    }

    /// Partial files left by an interrupted run (`.<name>.part-<pid>`): never data, safe to delete.
    private func removeStalePartials() {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") && sources.contains(where: { name.hasPrefix(".\($0.fileName).part-") }) {
            try? fm.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    private func download(_ source: RemoteFile, to target: URL, progress: (String, Int64, Int64?) -> Void) throws {
        let fm = FileManager.default
        let partial = folder.appendingPathComponent(".\(source.fileName).part-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: partial)
        guard fm.createFile(atPath: partial.path, contents: nil), let handle = FileHandle(forWritingAtPath: partial.path) else {
            throw DataError.download(url: source.url.absoluteString, reason: "cannot write \(partial.path)")
        }
        defer { try? fm.removeItem(at: partial) }  // after a successful rename there is nothing left here

        let transfer = Transfer(handle: handle)
        let session = URLSession(configuration: .ephemeral, delegate: transfer, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: source.url)
        request.timeoutInterval = timeout
        session.dataTask(with: request).resume()

        // Report progress from this thread until the transfer ends.
        var lastReport = Date.distantPast
        while !transfer.done.wait(timeout: .now() + .milliseconds(200)).isSuccess {
            let (received, total) = transfer.counts
            if Date().timeIntervalSince(lastReport) >= 0.2 {
                progress(source.fileName, received, total ?? source.size)
                lastReport = Date()
            }
        }
        try? handle.close()
        let (received, total) = transfer.counts
        progress(source.fileName, received, total ?? source.size)
        if let failure = transfer.failure {
            throw DataError.download(url: source.url.absoluteString, reason: failure)
        }
        try verify(file: partial, against: source)
        do {
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: partial, to: target)
        } catch {
            throw DataError.download(url: source.url.absoluteString, reason: "cannot move the file into \(target.path) (\(error.localizedDescription))")
        }
    }
}

extension DispatchTimeoutResult {
    fileprivate var isSuccess: Bool { self == .success }
}

/// The URLSession delegate of one download: appends bytes to the partial file and records
/// progress and the outcome under a lock, for the waiting thread to read.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let handle: FileHandle
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var received: Int64 = 0
    private var expected: Int64?
    private var error: String?

    init(handle: FileHandle) { self.handle = handle }

    var counts: (Int64, Int64?) { lock.withLock { (received, expected) } }
    var failure: String? { lock.withLock { error } }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            lock.withLock { error = "the server answered HTTP \(http.statusCode)" }
            completionHandler(.cancel)
            return
        }
        lock.withLock { expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        do {
            try handle.write(contentsOf: data)
            lock.withLock { received += Int64(data.count) }
        } catch {
            lock.withLock { self.error = "cannot write the downloaded bytes (\(error.localizedDescription))" }
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.withLock {
            if self.error == nil, let error { self.error = error.localizedDescription }
            if self.error == nil, let expected, expected != received {
                self.error = "the connection closed after \(received) of \(expected) bytes"
            }
        }
        done.signal()
    }
}
