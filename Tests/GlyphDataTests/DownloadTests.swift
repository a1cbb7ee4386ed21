import Foundation
import Testing
@testable import GlyphData
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 server on 127.0.0.1 for the download tests: serves fixed bodies by path on
/// a background thread and counts requests. Paths it does not know get 404.
final class TinyHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let lock = NSLock()
    private var _requests = [String]()
    private let routes: [String: Data]

    var requests: [String] { lock.withLock { _requests } }

    init(routes: [String: Data]) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DataError.invalidArgument("socket() failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw DataError.invalidArgument("bind/listen failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        socketFD = fd
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func stop() { shutdown(socketFD, Int32(SHUT_RDWR)); close(socketFD) }

    private func serve() {
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 { return }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
            let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            lock.withLock { _requests.append(path) }
            var response: [UInt8]
            if let body = routes[path] {
                response = Array("HTTP/1.0 200 OK\r\nContent-Length: \(body.count)\r\nContent-Type: application/zip\r\n\r\n".utf8) + body
            } else {
                response = Array("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".utf8)
            }
            var sent = 0
            while sent < response.count {
                let n = response[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                sent += n
            }
            close(client)
        }
    }
}

@Suite("download", .serialized)
struct DownloadTests {
    @Test(.needsOmniglot) func fetchVerifiesMovesIntoPlaceAndSkipsOnSecondRun() throws {
        let body = try Data(contentsOf: try TestData.file("one_shot_runs_sample.zip"))
        let server = try TinyHTTPServer(routes: ["/runs.zip": body, "/other.zip": body])
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = RemoteFile(url: server.url("/runs.zip"), fileName: "all_runs.zip",
                              md5: MD5.hex(of: [UInt8](body)), size: Int64(body.count))
        // A partial file from an interrupted earlier run is neither data nor left behind.
        try Data("half a zip".utf8).write(to: folder.appendingPathComponent(".all_runs.zip.part-99999"))
        var reports = [(String, Int64, Int64?)]()
        let fetched = try OmniglotDownloader(folder: folder, sources: [good]).fetch { reports.append(($0, $1, $2)) }
        #expect(fetched == ["all_runs.zip"])
        let landed = folder.appendingPathComponent("all_runs.zip")
        #expect(try Data(contentsOf: landed) == body)
        #expect(reports.last.map { $0.0 == "all_runs.zip" && $0.1 == Int64(body.count) && $0.2 == Int64(body.count) } == true)
        #expect(try OneShotRuns.load(from: landed).count == 2)
        // Nothing else left in the folder (no partial files).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["all_runs.zip"])
        // Second run: verified already, no request.
        let before = server.requests.count
        #expect(try OmniglotDownloader(folder: folder, sources: [good]).fetch { _, _, _ in }.isEmpty)
        #expect(server.requests.count == before)

        // Wrong md5: throws, leaves nothing behind.
        let wrong = RemoteFile(url: server.url("/other.zip"), fileName: "images_evaluation.zip",
                               md5: "00000000000000000000000000000000", size: nil)
        #expect { try OmniglotDownloader(folder: folder, sources: [wrong]).fetch { _, _, _ in } } throws: { error in
            guard case let .download(url, reason) = error as? DataError else { return false }
            return url.hasSuffix("/other.zip") && reason.contains("md5")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["all_runs.zip"])
        #expect(!DataLocation.holdsData(folder, set: .evaluation))

        // A 404 and a corrupt file already in place (it is replaced by a verified download).
        let missing = RemoteFile(url: server.url("/nope.zip"), fileName: "x.zip", md5: nil, size: nil)
        #expect { try OmniglotDownloader(folder: folder, sources: [missing]).fetch { _, _, _ in } } throws: { "\($0)".contains("404") }
        try Data("garbage".utf8).write(to: landed)
        #expect(try OmniglotDownloader(folder: folder, sources: [good]).fetch { _, _, _ in } == ["all_runs.zip"])
        #expect(try Data(contentsOf: landed) == body)
    }

    @Test func officialSourcesAndDataLocation() {
        #expect(RemoteFile.official.map(\.fileName) == ["images_background.zip", "images_evaluation.zip", "all_runs.zip"])
        #expect(RemoteFile.official[0].md5 == "68d2efa1b9178cc56df9314c21c6e718" && RemoteFile.official[0].size == 9_464_212)
        #expect(RemoteFile.official[1].md5 == "6b91aef0f799c5bb55b94e3f2daec811" && RemoteFile.official[1].size == 6_462_886)
        let env = ["GLYPHSIM_DATA": "/env/data", "HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"]
        #expect(DataLocation.resolve(explicit: "/cli", environment: env).path == "/cli")
        #expect(DataLocation.resolve(explicit: nil, environment: env).path == "/env/data")
        #expect(DataLocation.resolve(explicit: nil, environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"]).path == "/xdg/glyphsim")
        #expect(DataLocation.resolve(explicit: nil, environment: ["HOME": "/home/u"]).path == "/home/u/.cache/glyphsim")
        #expect { try DataLocation.find(explicit: "/no/such/folder", environment: [:]) } throws: { error in
            "\(error)".contains("glyphsim fetch") && "\(error)".contains("/no/such/folder")
        }
    }
}
