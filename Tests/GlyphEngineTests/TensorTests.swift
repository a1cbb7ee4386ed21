import Testing
@testable import GlyphEngine

@Test func tensorSliceAndConcatenateRoundTrip() {
    let t = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    let parts = [t.slice(0..<1), t.slice(1..<3)]
    #expect(parts[1].shape == [2, 2])
    #expect(Tensor.concatenate(parts) == t)
}
