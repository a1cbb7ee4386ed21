import Testing
import GlyphEngine
@testable import GlyphSiamese

/// The koch preset checkpoints its first block by default, and its state keeps the names of
/// PyTorch's `nn.Sequential` (what the Koch fixture and the Python interop rely on).
@Test func kochTowerCheckpointsItsFirstBlockUnderThePlainNames() throws {
    let tower = try Towers.make(ModelConfig(preset: .koch))
    #expect(tower.parameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias",
                                             "9.weight", "9.bias", "12.weight", "12.bias"])
    let blocks = tower.checkpointedBlocks
    #expect(blocks.count == 1)
    #expect(blocks.first?.layers.map(\.name) == ["Conv2D(1->64, 10x10)", "ReLU", "MaxPool2D(2)"])
    #expect(blocks.first.map { $0.layers.first === tower.layers.first } == true)
    #expect(tower.layers.count == 14)
}
