import GlyphRandom

/// How a parameter's starting values are drawn. Scaled initializers read the fan-in and
/// fan-out that the owning layer records on the `Parameter`.
public enum Initializer: Sendable, Equatable {
    case zeros
    case constant(Float)
    case normal(mean: Float, std: Float)
    case uniform(low: Float, high: Float)
    /// Normal with mean 0 and `std = sqrt(2 / fanIn)` (He et al. 2015), for ReLU networks.
    case heNormal
    /// Uniform in `[-limit, limit]`, `limit = sqrt(6 / (fanIn + fanOut))` (Glorot & Bengio 2010).
    case glorotUniform

    /// A tensor of `shape` drawn from this distribution; draws in row-major order.
    public func makeTensor(shape: [Int], fanIn: Int, fanOut: Int, generator: inout SeededGenerator) -> Tensor {
        let count = Tensor.count(of: shape)
        switch self {
        case .zeros:
            return Tensor(zeros: shape)
        case let .constant(value):
            return Tensor(repeating: value, shape: shape)
        case let .normal(mean, std):
            return Initializer.normalTensor(shape, count, mean: mean, std: std, &generator)
        case let .uniform(low, high):
            return Initializer.uniformTensor(shape, count, low: low, high: high, &generator)
        case .heNormal:
            let std = (2 / Float(max(fanIn, 1))).squareRoot()
            return Initializer.normalTensor(shape, count, mean: 0, std: std, &generator)
        case .glorotUniform:
            let limit = (6 / Float(max(fanIn + fanOut, 1))).squareRoot()
            return Initializer.uniformTensor(shape, count, low: -limit, high: limit, &generator)
        }
    }

    private static func normalTensor(_ shape: [Int], _ count: Int, mean: Float, std: Float,
                                      _ generator: inout SeededGenerator) -> Tensor {
        var scalars = [Float](repeating: 0, count: count)
        for i in 0..<count { scalars[i] = mean + std * generator.nextNormal() }
        return Tensor(shape: shape, scalars: scalars)
    }

    private static func uniformTensor(_ shape: [Int], _ count: Int, low: Float, high: Float,
                                       _ generator: inout SeededGenerator) -> Tensor {
        var scalars = [Float](repeating: 0, count: count)
        for i in 0..<count { scalars[i] = low + (high - low) * generator.nextUniform() }
        return Tensor(shape: shape, scalars: scalars)
    }
}

extension Parameter {
    /// A parameter drawn from `initializer`, remembering how so that it can be re-drawn.
    public convenience init(name: String, shape: [Int], initializer: Initializer, fanIn: Int, fanOut: Int,
                            isTrainable: Bool = true, appliesWeightDecay: Bool? = nil,
                            generator: inout SeededGenerator) {
        let value = initializer.makeTensor(shape: shape, fanIn: fanIn, fanOut: fanOut, generator: &generator)
        self.init(name: name, value: value, isTrainable: isTrainable, appliesWeightDecay: appliesWeightDecay)
        self.initializer = initializer
        self.fanIn = fanIn
        self.fanOut = fanOut
    }
}

extension Layer {
    /// Re-draws every trainable parameter from its initializer, in `parameters` order (so a
    /// `Sequential` goes layer by layer), then resets buffers such as batch norm's running
    /// statistics. Gradients are cleared. The same generator state gives the same weights.
    public func initializeParameters(using generator: inout SeededGenerator) {
        for p in parameters + buffers {
            guard let initializer = p.initializer else { continue }
            p.value = initializer.makeTensor(shape: p.value.shape, fanIn: p.fanIn, fanOut: p.fanOut,
                                             generator: &generator)
            p.zeroGradient()
        }
    }
}
