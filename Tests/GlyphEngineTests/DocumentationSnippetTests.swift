import Testing
import GlyphEngine

/// The code of the DocC article "Writing a tower" (Sources/GlyphEngine/GlyphEngine.docc/
/// WritingATower.md), line for line, with checks of what the article says it does. Change
/// both together.
@Suite("DocC: Writing a tower")
struct WritingATowerSnippetTests {
    @Test func theArticlesTowerRunsForwardBackwardAndUpdates() throws {
        let tower = try Sequential {
            Conv2D(inChannels: 1, outChannels: 8, kernelSize: 3, padding: .same)
            ReLU()
            MaxPool2D(2)
            Flatten()
            Dense(inFeatures: 8 * 14 * 14, outFeatures: 16)
            L2Normalize()
        }

        var images = Tensor(zeros: [4, 1, 28, 28])
        for i in images.scalars.indices { images.scalars[i] = Float(i % 29) / 29 }  // not all zeros, so the update shows
        let embeddings = try tower.forward(images, training: true)   // shape [4, 16]
        #expect(embeddings.shape == [4, 16])

        let optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        optimizer.allocateState(for: tower.parameters)

        let before = tower.parameters.map(\.value.scalars)
        let gradient = Tensor(shape: embeddings.shape, scalars: embeddings.scalars.map { 2 * $0 })
        try tower.accumulateParameterGradients(gradient)
        optimizer.step(tower.parameters)
        tower.zeroGradients()
        #expect(tower.parameters.map(\.value.scalars) != before)
    }
}
