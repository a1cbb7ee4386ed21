import GlyphData

/// A short hash of the data a run trains and validates on (characters, labels and every
/// pixel), saved in each checkpoint as `glyphsim.data` so that `--resume` with other data
/// (another Omniglot copy, another split, a changed user folder) is refused instead of
/// silently continuing on different images.
///
/// 64-bit FNV-1a over 8-byte words: not cryptographic (it guards against mistakes, not
/// forgery), and fast enough to hash the resized training split in milliseconds.
enum DataFingerprint {
    static func of(_ datasets: [GlyphDataset]) -> String {
        var hasher = Hasher64()
        for dataset in datasets {
            hasher.combine(UInt64(dataset.side))
            hasher.combine(UInt64(dataset.imageCount))
            for character in dataset.characters {
                hasher.combine(character.alphabet)
                hasher.combine(character.name)
            }
            for label in dataset.labels { hasher.combine(UInt64(bitPattern: Int64(label))) }
            dataset.ink.withUnsafeBytes { hasher.combine($0) }
        }
        return String(hasher.value, radix: 16)
    }

    struct Hasher64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        static let prime: UInt64 = 0x0000_0100_0000_01B3

        mutating func combine(_ word: UInt64) { value = (value ^ word) &* Self.prime }

        mutating func combine(_ text: String) {
            combine(UInt64(text.utf8.count))
            for byte in text.utf8 { combine(UInt64(byte)) }
        }

        mutating func combine(_ bytes: UnsafeRawBufferPointer) {
            combine(UInt64(bytes.count))
            let words = bytes.count / 8
            for i in 0..<words { combine(bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
            for i in (words * 8)..<bytes.count { combine(UInt64(bytes[i])) }
        }
    }
}
