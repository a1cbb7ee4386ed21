import Foundation
import GlyphData

extension SiameseModel {
    /// A stable name for what this model computes: the first 16 hex digits of the MD5 of its
    /// configuration (JSON with sorted keys) and of every state tensor (name, shape and
    /// little-endian float32 bytes, in name order). Two models that embed images differently
    /// have different fingerprints, so an index built by one is refused by the other.
    ///
    /// The decision threshold is left out on purpose: it changes what is called "same", not the
    /// embeddings, so recalibrating a model keeps its indexes usable. MD5 names, it does not
    /// protect: it is not meant to resist someone forging a model.
    public var fingerprint: String {
        var md5 = MD5()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        md5.update(Array((try? encoder.encode(config)) ?? Data()))
        let tensors = tower.stateTensors()
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            md5.update(Array("\(name)\u{0}\(tensor.shape.map(String.init).joined(separator: ","))\u{0}".utf8))
            tensor.withUnsafeBufferPointer { values in
                var bytes = [UInt8]()
                bytes.reserveCapacity(values.count * 4)
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                bytes.withUnsafeBytes { md5.update($0) }
            }
        }
        return String(md5.hexDigest().prefix(16))
    }
}
