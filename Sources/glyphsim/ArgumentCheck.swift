/// Catches arguments the parser would misread before it sees them.
///
/// glyphsim's only short option is `-h`, and the parser reads `-dash.png` as the short flags
/// `-d -a -s -h ...`: it printed help and exited 0 for `compare RUN -dash.png b.png`, a
/// silent non-result. Any single-dash word longer than one letter that is not a number is
/// therefore refused, naming it, with the two ways to pass such a file name.
enum ArgumentCheck {
    static func problem(_ arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }  // everything after it is positional
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else { continue }
            if Double(argument) != nil { continue }  // a negative number, e.g. --margin -1
            return "'\(argument)' is not an option (glyphsim has no short options but -h); "
                + "for a file whose name starts with a dash, write ./\(argument) or put -- before it"
        }
        return nil
    }
}
