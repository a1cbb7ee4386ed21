/// Omniglot's 50 alphabets and the ranges of global character ids they hold, compiled from
/// `alphabets.tsv` of the data folder (facts about the data set, not configuration). The npz
/// files carry no alphabet names: this table gives them, so within-alphabet tasks work from the npz.
public enum Alphabets {
    public struct Entry: Sendable, Equatable {
        public var set: OmniglotSet
        public var ids: ClosedRange<Int>
        public var name: String
    }

    /// In id order: background ids 1...964, then evaluation ids 965...1623.
    public static let table: [Entry] = [
        Entry(set: .background, ids: 1...26, name: "Arcadian"),
        Entry(set: .background, ids: 27...67, name: "Armenian"),
        Entry(set: .background, ids: 68...107, name: "Asomtavruli_(Georgian)"),
        Entry(set: .background, ids: 108...131, name: "Balinese"),
        Entry(set: .background, ids: 132...177, name: "Bengali"),
        Entry(set: .background, ids: 178...191, name: "Blackfoot_(Canadian_Aboriginal_Syllabics)"),
        Entry(set: .background, ids: 192...217, name: "Braille"),
        Entry(set: .background, ids: 218...250, name: "Cyrillic"),
        Entry(set: .background, ids: 251...272, name: "Early_Aramaic"),
        Entry(set: .background, ids: 273...295, name: "Syriac_(Estrangelo)"),
        Entry(set: .background, ids: 296...324, name: "Anglo-Saxon_Futhorc"),
        Entry(set: .background, ids: 325...350, name: "Futurama"),
        Entry(set: .background, ids: 351...393, name: "Grantha"),
        Entry(set: .background, ids: 394...417, name: "Greek"),
        Entry(set: .background, ids: 418...465, name: "Gujarati"),
        Entry(set: .background, ids: 466...487, name: "Hebrew"),
        Entry(set: .background, ids: 488...539, name: "Japanese_(hiragana)"),
        Entry(set: .background, ids: 540...555, name: "Inuktitut_(Canadian_Aboriginal_Syllabics)"),
        Entry(set: .background, ids: 556...595, name: "Malay_(Jawi_-_Arabic)"),
        Entry(set: .background, ids: 596...642, name: "Japanese_(katakana)"),
        Entry(set: .background, ids: 643...682, name: "Korean"),
        Entry(set: .background, ids: 683...708, name: "Latin"),
        Entry(set: .background, ids: 709...728, name: "Alphabet_of_the_Magi"),
        Entry(set: .background, ids: 729...769, name: "Mkhedruli_(Georgian)"),
        Entry(set: .background, ids: 770...803, name: "Burmese_(Myanmar)"),
        Entry(set: .background, ids: 804...836, name: "N_Ko"),
        Entry(set: .background, ids: 837...850, name: "Ojibwe_(Canadian_Aboriginal_Syllabics)"),
        Entry(set: .background, ids: 851...892, name: "Sanskrit"),
        Entry(set: .background, ids: 893...909, name: "Tagalog"),
        Entry(set: .background, ids: 910...964, name: "Tifinagh"),
        Entry(set: .evaluation, ids: 965...984, name: "Angelic"),
        Entry(set: .evaluation, ids: 985...1010, name: "Atemayar_Qelisayer"),
        Entry(set: .evaluation, ids: 1011...1036, name: "Atlantean"),
        Entry(set: .evaluation, ids: 1037...1062, name: "Aurek-Besh"),
        Entry(set: .evaluation, ids: 1063...1088, name: "Avesta"),
        Entry(set: .evaluation, ids: 1089...1114, name: "Ge_ez"),
        Entry(set: .evaluation, ids: 1115...1159, name: "Glagolitic"),
        Entry(set: .evaluation, ids: 1160...1204, name: "Gurmukhi"),
        Entry(set: .evaluation, ids: 1205...1245, name: "Kannada"),
        Entry(set: .evaluation, ids: 1246...1271, name: "Keble"),
        Entry(set: .evaluation, ids: 1272...1318, name: "Malayalam"),
        Entry(set: .evaluation, ids: 1319...1358, name: "Manipuri"),
        Entry(set: .evaluation, ids: 1359...1388, name: "Mongolian"),
        Entry(set: .evaluation, ids: 1389...1433, name: "Old_Church_Slavonic_(Cyrillic)"),
        Entry(set: .evaluation, ids: 1434...1479, name: "Oriya"),
        Entry(set: .evaluation, ids: 1480...1502, name: "Syriac_(Serto)"),
        Entry(set: .evaluation, ids: 1503...1530, name: "Sylheti"),
        Entry(set: .evaluation, ids: 1531...1555, name: "Tengwar"),
        Entry(set: .evaluation, ids: 1556...1597, name: "Tibetan"),
        Entry(set: .evaluation, ids: 1598...1623, name: "ULOG"),
    ]

    /// Number of characters in each set.
    public static let backgroundCount = 964
    public static let evaluationCount = 659

    /// The alphabet and set of a global character id (1...1623). Ids outside Omniglot give
    /// `("unknown", .user)`.
    public static func alphabet(ofCharacterId id: Int) -> (name: String, set: OmniglotSet) {
        guard let e = entry(ofCharacterId: id) else { return ("unknown", .user) }
        return (e.name, e.set)
    }

    public static func entry(ofCharacterId id: Int) -> Entry? {
        var lo = 0, hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if id < table[mid].ids.lowerBound { hi = mid - 1 }
            else if id > table[mid].ids.upperBound { lo = mid + 1 }
            else { return table[mid] }
        }
        return nil
    }

    /// The character's official name, `Alphabet/characterNN` (NN counts from 01 within the alphabet).
    public static func characterName(ofCharacterId id: Int) -> String {
        guard let e = entry(ofCharacterId: id) else { return "character\(id)" }
        let n = id - e.ids.lowerBound + 1
        return "\(e.name)/character\(n < 10 ? "0" : "")\(n)"
    }

    /// The alphabets of one set, in id order.
    public static func names(of set: OmniglotSet) -> [String] { table.filter { $0.set == set }.map(\.name) }
}
