import Foundation

/// Where GlyphSim looks for Omniglot: `--data DIR` first, then `$GLYPHSIM_DATA`, then the user's
/// cache folder (`$XDG_CACHE_HOME/glyphsim`, else `~/.cache/glyphsim`), which `glyphsim fetch` fills.
/// The caller passes the environment in (the CLI: its process's): the library reads none itself.
public enum DataLocation {
    public static let environmentVariable = "GLYPHSIM_DATA"

    /// The folder to use, whether or not it holds data yet.
    public static func resolve(explicit: String?, environment: [String: String]) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit, isDirectory: true) }
        if let env = environment[environmentVariable], !env.isEmpty { return URL(fileURLWithPath: env, isDirectory: true) }
        return defaultFolder(environment: environment)
    }

    /// `$XDG_CACHE_HOME/glyphsim`, else `~/.cache/glyphsim`.
    public static func defaultFolder(environment: [String: String]) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("glyphsim", isDirectory: true)
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/glyphsim", isDirectory: true)
    }

    /// Whether `folder` holds a set in any form `Omniglot.load` reads.
    public static func holdsData(_ folder: URL, set: OmniglotSet) -> Bool {
        let fm = FileManager.default
        return ["images_\(set.rawValue).npz", "images_\(set.rawValue).zip", "images_\(set.rawValue)"].contains {
            fm.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// The resolved folder, or `DataError.notFound` with a message saying how to get the data.
    public static func find(explicit: String?, environment: [String: String]) throws -> URL {
        let folder = resolve(explicit: explicit, environment: environment)
        for set in [OmniglotSet.background, .evaluation] where !holdsData(folder, set: set) {
            throw DataError.notFound(missingDataMessage(folder: folder, set: set))
        }
        return folder
    }

    static func missingDataMessage(folder: URL, set: OmniglotSet) -> String {
        """
        Omniglot's \(set.rawValue) set is not in \(folder.path) (looked for images_\(set.rawValue).npz, \
        images_\(set.rawValue).zip and the folder images_\(set.rawValue)/). Run `glyphsim fetch --data \(folder.path)` \
        to download the official zips, or point at a copy with --data DIR or $\(environmentVariable).
        """
    }
}
