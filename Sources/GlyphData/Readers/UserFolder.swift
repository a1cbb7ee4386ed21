import Dispatch
import Foundation

/// A user's folder of glyph images as a dataset, the way PyTorch's `ImageFolder` reads one:
/// `<class>/<image>` (flat) or `<group>/<class>/<image>` (grouped: the group is a script,
/// alphabet, manuscript or font, used like Omniglot's alphabets).
///
/// Images are PNG, JPEG and TIFF files, chosen by extension in the walk and decoded by their
/// first bytes; hidden files and `__MACOSX` folders are skipped, other files counted as ignored.
/// Every image is read as the given `Preprocessing` says, in parallel, into one `GlyphDataset`
/// in path order (the same whatever the thread count).
public enum UserFolder {
    /// The two layouts a folder can have.
    public enum Layout: String, Sendable, Codable {
        case flat = "<class>/<image>"
        case grouped = "<group>/<class>/<image>"
    }

    /// What the walk of a folder found, before any image is decoded.
    public struct Listing: Sendable, Equatable {
        public var layout: Layout
        /// Image paths relative to the folder, sorted.
        public var images: [String]
        /// Files that are not images by their extension.
        public var ignoredFiles: Int
    }

    /// Loads `folder`. A bad image is an error naming it, unless `skipBadImages`: then it is left
    /// out and named in the report's warnings. `threads` workers decode; `progress` is called
    /// with (images done, images in all) as the work proceeds, from any thread, one call at a time.
    public static func load(_ folder: URL, preprocessing: Preprocessing, skipBadImages: Bool = false, threads: Int = 2,
                            progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws
        -> (dataset: GlyphDataset, report: UserFolderReport) {
        try preprocessing.validate()
        guard threads >= 1, threads <= 256 else { throw DataError.invalidArgument("threads must be 1...256, got \(threads)") }
        let listing = try list(folder)
        let side = preprocessing.side, pixels = side * side
        let (bytes, overflow) = listing.images.count.multipliedReportingOverflow(by: pixels)
        guard !overflow, bytes <= InputLimits.maximumDatasetBytes else {
            throw DataError.badLayout(path: folder.path, reason: "\(listing.images.count) images of \(side)x\(side) are more than the limit of \(InputLimits.maximumDatasetBytes) bytes in memory")
        }
        let urls = listing.images.map { folder.appendingPathComponent($0) }
        var ink = [UInt8](repeating: 0, count: bytes)
        let failures = ink.withUnsafeMutableBufferPointer { buffer in
            ParallelImageReader(urls: urls, preprocessing: preprocessing, destination: buffer,
                                stopAtFirstFailure: !skipBadImages, progress: progress).run(threads: threads)
        }
        if let first = failures.first, !skipBadImages { throw first.error }
        return try assemble(folder: folder, listing: listing, urls: urls, ink: ink, side: side, failures: failures)
    }

    /// Walks `folder` and recognises its layout; an error names what does not fit.
    public static func list(_ folder: URL) throws -> Listing {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { throw DataError.missingFile(folder.path) }
        guard isDirectory.boolValue else { throw DataError.badLayout(path: folder.path, reason: "is not a folder") }
        guard fm.isReadableFile(atPath: folder.path), let walk = fm.enumerator(atPath: folder.path) else {
            throw DataError.badLayout(path: folder.path, reason: "the folder cannot be read")
        }
        var images = [String](), ignored = 0
        var exampleAtDepth = [Int: String]()
        while let path = walk.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            let type = walk.fileAttributes?[.type] as? FileAttributeType
            if name.hasPrefix(".") || name == "__MACOSX" {
                if type == .typeDirectory { walk.skipDescendants() }
                continue
            }
            if type == .typeDirectory { continue }
            guard ImageFormat.hasImageExtension(name) else { ignored += 1; continue }
            let depth = path.split(separator: "/").count
            if exampleAtDepth[depth].map({ path < $0 }) ?? true { exampleAtDepth[depth] = path }  // the first by name
            images.append(path)
            guard images.count <= InputLimits.maximumFolderImages else {
                throw DataError.badLayout(path: folder.path, reason: "holds more than the limit of \(InputLimits.maximumFolderImages) images")
            }
        }
        guard !images.isEmpty else {
            throw DataError.badLayout(path: folder.path, reason: "holds no images (PNG, JPEG or TIFF)" + (ignored > 0 ? " (\(ignored) other files)" : ""))
        }
        return Listing(layout: try layout(of: folder, examples: exampleAtDepth), images: images.sorted(), ignoredFiles: ignored)
    }

    private static func layout(of folder: URL, examples: [Int: String]) throws -> Layout {
        let expected = "expected <class>/<image> or <group>/<class>/<image>"
        if let loose = examples[1] {
            if let other = examples.filter({ $0.key != 1 }).min(by: { $0.key < $1.key })?.value {
                throw DataError.badLayout(path: folder.path, reason: "mixes layouts: \(loose) lies in the folder itself, \(other) in a class folder (\(expected))")
            }
            throw DataError.badLayout(path: folder.path, reason: "images lie in the folder itself (e.g. \(loose)): put each class in a folder of its own (\(expected))")
        }
        if let deep = examples.filter({ $0.key > 3 }).min(by: { $0.key < $1.key })?.value {
            throw DataError.badLayout(path: folder.path, reason: "\(deep) is nested too deeply (\(expected))")
        }
        if let flat = examples[2], let grouped = examples[3] {
            throw DataError.badLayout(path: folder.path, reason: "mixes layouts: \(flat) is <class>/<image> but \(grouped) is <group>/<class>/<image>")
        }
        return examples[3] != nil ? .grouped : .flat
    }

    /// The dataset from the decoded images, leaving out the ones that failed.
    private static func assemble(folder: URL, listing: Listing, urls: [URL], ink decoded: [UInt8], side: Int,
                                 failures: [ParallelImageReader.Failure]) throws -> (dataset: GlyphDataset, report: UserFolderReport) {
        let failed = Set(failures.map(\.index))
        guard failed.count < urls.count else {
            throw DataError.badLayout(path: folder.path, reason: "none of its \(urls.count) images could be read (first: \(failures[0].error))")
        }
        let pixels = side * side
        var characters = [CharacterInfo](), classIndex = [String: Int](), perClass = [Int]()
        var ink = [UInt8](), labels = [Int](), drawings = [Int](), sources = [String]()
        ink.reserveCapacity((urls.count - failed.count) * pixels)
        for (i, path) in listing.images.enumerated() where !failed.contains(i) {
            let parts = path.split(separator: "/").map(String.init)
            let group = listing.layout == .grouped ? parts[0] : folder.lastPathComponent
            let name = listing.layout == .grouped ? parts[0] + "/" + parts[1] : parts[0]
            let c: Int
            if let known = classIndex[name] { c = known } else {
                c = characters.count
                classIndex[name] = c
                characters.append(CharacterInfo(id: c + 1, alphabet: group, set: .user, name: name))
                perClass.append(0)
            }
            ink.append(contentsOf: decoded[(i * pixels)..<((i + 1) * pixels)])
            labels.append(c)
            drawings.append(perClass[c])
            perClass[c] += 1
            sources.append(urls[i].path)
        }
        let dataset = GlyphDataset(side: side, characters: characters, ink: ink, labels: labels, drawings: drawings, sources: sources)
        let report = UserFolderReport(folder: folder.path, layout: listing.layout, classes: characters.count,
                                      groups: dataset.alphabets.count, images: labels.count,
                                      singleImageClasses: characters.indices.filter { perClass[$0] == 1 }.map { characters[$0].name },
                                      ignoredFiles: listing.ignoredFiles, warnings: failures.map { "\($0.error) (skipped)" })
        return (dataset, report)
    }
}

/// What loading a user's folder found: the layout, the counts, and every file left out.
public struct UserFolderReport: Sendable, Equatable {
    public var folder: String
    public var layout: UserFolder.Layout
    public var classes: Int
    /// Groups (`<group>` folders); 1 for a flat folder, whose group is the folder itself.
    public var groups: Int
    public var images: Int
    /// Classes with one image: usable for an index, not for training pairs.
    public var singleImageClasses: [String]
    /// Files that are not images by their extension (hidden files and `__MACOSX` not counted).
    public var ignoredFiles: Int
    /// One line per bad image left out with `skipBadImages`, naming the file and the problem.
    public var warnings: [String]

    /// Lines for a command's output: what was recognised, then the warnings and their count.
    public var lines: [String] {
        var out = ["\(folder): user folder \(layout.rawValue), \(classes) classes in \(groups) group\(groups == 1 ? "" : "s"), \(images) images"
                   + (ignoredFiles > 0 ? ", \(ignoredFiles) other files ignored" : "")]
        if !singleImageClasses.isEmpty {
            let shown = singleImageClasses.prefix(5).joined(separator: ", ") + (singleImageClasses.count > 5 ? ", ..." : "")
            out.append("\(singleImageClasses.count) classes have a single image (usable for an index, not for training pairs): \(shown)")
        }
        out += warnings.map { "warning: \($0)" }
        if !warnings.isEmpty { out.append("\(warnings.count) bad image\(warnings.count == 1 ? "" : "s") skipped") }
        return out
    }
}
