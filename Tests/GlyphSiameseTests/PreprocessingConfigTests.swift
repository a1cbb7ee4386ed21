import Foundation
import GlyphData
import Testing
@testable import GlyphSiamese

/// Checkpoints record how images are read; older ones read them the legacy way.
@Suite struct PreprocessingConfigTests {
    @Test func newModelsReadScansAndCheckpointsKeepIt() throws {
        let config = ModelConfig(preset: .fast)
        #expect(config.preprocessing == .scan(side: 32) && ModelConfig(preset: .koch).preprocessing == .scan(side: 105))
        let model = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: 28, width: 8, embeddingSize: 16,
                                                         preprocessing: .scan(side: 28, polarity: .lightInk)))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prep-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("m.safetensors")
        try model.save(to: url)
        let loaded = try SiameseModel.load(from: url)
        #expect(loaded.preprocessing == .scan(side: 28, polarity: .lightInk))
        // An image reads as the checkpoint says, unless a polarity is given.
        var pixels = [UInt8](repeating: 30, count: 50 * 40)
        for y in 10..<30 { for x in 20..<24 { pixels[y * 50 + x] = 220 } }
        let image = folder.appendingPathComponent("bar.png")
        try PNGEncoder.encode(pixels, width: 50, height: 40).write(to: image)
        let decoded = try ImageDecoder.decode(contentsOf: image)
        #expect(try loaded.loadImage(image) == ScanReading.read(decoded, as: .scan(side: 28, polarity: .lightInk)))
        #expect(try loaded.loadImage(image, polarity: .darkInk) == ScanReading.read(decoded, as: .scan(side: 28, polarity: .darkInk)))
    }

    @Test func configurationsWithoutPreprocessingReadTheLegacyWay() throws {
        let old = #"{"preset":"fast","imageSize":32,"width":64,"embeddingSize":128,"normalization":"l2"}"#
        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8))
        #expect(config.preprocessing == nil && config.imagePreprocessing == .legacy(side: 32))
        // The side always follows the tower's input.
        var edited = ModelConfig(preset: .fast)
        edited.imageSize = 40
        #expect(edited.imagePreprocessing.side == 40)
    }
}
