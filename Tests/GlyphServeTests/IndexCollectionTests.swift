import Foundation
import GlyphData
import GlyphIndex
import GlyphSiamese
import Testing
@testable import GlyphServe

/// `glyphsim serve --index`: an index file as the collection, refused when another model built it.
@Suite struct IndexCollectionTests {
    @Test func anIndexServesItsEntriesAndRefusesAnotherModel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("glyphserve-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for i in 0..<ServeFixture.count {
            let classFolder = folder.appendingPathComponent("Strokes/character\(i + 1)")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try ServeFixture.png(i).write(to: classFolder.appendingPathComponent("glyph.png"))
        }
        let side = ServeFixture.side
        let model = try SiameseModel(config: ModelConfig(preset: .fast, imageSize: side, width: 8, embeddingSize: 16,
                                                         preprocessing: .legacy(side: side)), seed: 7)
        var index = try IndexBuilder(model: model).build([folder])
        let file = folder.appendingPathComponent("strokes.index")
        try IndexStore.save(&index, to: file)

        let collection = try IndexCollection(file: file, model: model)
        #expect(collection.count == ServeFixture.count && collection.dimension == 16)
        // Each glyph, read as the model reads an upload, finds its own entry first, at distance ~0.
        for i in [0, 5, 11] {
            let query = try UserImages.convert(try ServeFixture.png(i), file: "query.png", preprocessing: model.preprocessing)
            let found = try collection.nearest(to: try model.embed(images: [query]).values, k: 3)
            #expect(found[0].entry.label == "Strokes/character\(i + 1)", "\(found.map(\.entry.label))")
            #expect(found[0].distance < 1e-3)
            #expect(try collection.image(of: found[0].entry.id)?.bytes == (try ServeFixture.png(i)))
        }
        #expect(collection.entry(ServeFixture.count) == nil)
        #expect(try collection.image(of: -1) == nil)

        let other = try SiameseModel(config: model.config, seed: 8)
        #expect { try IndexCollection(file: file, model: other) } throws: { error in
            "\(error)".contains("strokes.index") && "\(error)".contains("was built by model")
        }
    }
}
