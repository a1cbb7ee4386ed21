import GlyphRandom

/// Batch normalization over the channels of NCHW images, as PyTorch's `nn.BatchNorm2d`.
///
/// Training normalizes each channel with the batch's mean and biased variance over
/// `N * H * W` values, and moves `running_mean` / `running_var` towards the batch mean and
/// the *unbiased* variance by `momentum`. Inference uses the running statistics. Scale
/// `weight` and shift `bias` are trained; the running statistics are buffers.
///
/// Training keeps the input and two floats per channel (mean, 1/std); backward recomputes
/// the normalized values from them instead of storing a second copy.
public final class BatchNorm2D: Layer {
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVar: Parameter

    struct Cache {
        let input: Tensor
        let mean: [Float]
        let inverseStd: [Float]
    }
    private var cache: Cache?

    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        var generator = SeededGenerator(seed: 0)  // constant initializers draw nothing
        weight = Parameter(name: "weight", shape: [channels], initializer: .constant(1), fanIn: channels,
                           fanOut: channels, appliesWeightDecay: false, generator: &generator)
        bias = Parameter(name: "bias", shape: [channels], initializer: .zeros, fanIn: channels,
                         fanOut: channels, appliesWeightDecay: false, generator: &generator)
        runningMean = Parameter(name: "running_mean", shape: [channels], initializer: .zeros, fanIn: channels,
                                fanOut: channels, isTrainable: false, generator: &generator)
        runningVar = Parameter(name: "running_var", shape: [channels], initializer: .constant(1), fanIn: channels,
                               fanOut: channels, isTrainable: false, generator: &generator)
    }

    public var name: String { "BatchNorm2D(\(channels))" }
    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Parameter] { [runningMean, runningVar] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 4, inputShape[1] == channels else {
            throw EngineError.shapeMismatch(layer: name, expected: "[N, \(channels), H, W]", got: inputShape)
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        _ = try outputShape(for: input.shape)
        let n = input.shape[0], c = channels, hw = input.shape[2] * input.shape[3]
        let m = n * hw
        var mean = [Float](repeating: 0, count: c), inverseStd = [Float](repeating: 0, count: c)
        let gamma = weight.value.scalars, beta = bias.value.scalars
        let output: Tensor
        if training {
            guard m > 1 else {
                throw EngineError.invalidArgument("\(name): training needs more than one value per channel, got \(input.shape)")
            }
            var unbiased = [Float](repeating: 0, count: c)
            // One task per channel computes its statistics and then normalizes it: the channel's
            // planes (395 KB for Conv-4's first block at 126 images) are still in this core's
            // cache for the second and third pass, so the activation crosses memory once.
            output = Tensor(shape: input.shape) { y in
            input.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { meanOut in
            inverseStd.withUnsafeMutableBufferPointer { invOut in
            unbiased.withUnsafeMutableBufferPointer { unbiasedOut in
                let eps = Double(epsilon)
                parallelFor(c) { ch in
                    let (muF, inv, unbiasedVariance) = BatchNorm2D.statistics(x.baseAddress!, images: n, channels: c,
                                                                             channel: ch, planeSize: hw, epsilon: eps)
                    meanOut[ch] = muF
                    invOut[ch] = inv
                    unbiasedOut[ch] = unbiasedVariance
                    let a = gamma[ch] * inv, b = beta[ch] - muF * a
                    for image in 0..<n {
                        let offset = (image * c + ch) * hw
                        BatchNorm2D.scaleAndShift(x.baseAddress! + offset, into: y.baseAddress! + offset, count: hw,
                                                  scale: a, shift: b)
                    }
                }
            }}}}}
            updateRunningStatistics(mean: mean, unbiasedVariance: unbiased)
        } else {
            let (scale, shift) = inferenceScaleAndShift(mean: &mean, inverseStd: &inverseStd)
            output = Tensor(shape: input.shape) { y in
                input.withUnsafeBufferPointer { x in
                    parallelFor(n * c) { t in
                        let ch = t % c
                        BatchNorm2D.scaleAndShift(x.baseAddress! + t * hw, into: y.baseAddress! + t * hw, count: hw,
                                                  scale: scale[ch], shift: shift[ch])
                    }
                }
            }
        }
        cache = training ? Cache(input: input, mean: mean, inverseStd: inverseStd) : nil
        return output
    }

    /// One channel's batch mean, `1 / sqrt(variance + epsilon)` and unbiased variance, from its
    /// planes in an NCHW batch: the mean first, then the squares around it (two passes, in
    /// Double across planes, so a large mean does not cancel the variance away).
    @inline(__always)
    static func statistics(_ x: UnsafePointer<Float>, images n: Int, channels c: Int, channel ch: Int, planeSize hw: Int,
                           epsilon eps: Double) -> (mean: Float, inverseStd: Float, unbiasedVariance: Float) {
        let m = n * hw
        var sum: Double = 0
        for image in 0..<n {
            sum += Double(Reductions.sum(x + (image * c + ch) * hw, count: hw))
        }
        let mu = Float(sum / Double(m))
        var squares: Double = 0
        for image in 0..<n {
            squares += Double(Reductions.sumOfSquares(x + (image * c + ch) * hw, count: hw, center: mu))
        }
        let variance = squares / Double(m)
        return (mu, Float(1 / (variance + eps).squareRoot()), Float(squares / Double(m - 1)))
    }

    /// Moves the running statistics towards this batch's by `momentum`.
    func updateRunningStatistics(mean: [Float], unbiasedVariance: [Float]) {
        runningMean.value.withUnsafeMutableBufferPointer { rm in
        runningVar.value.withUnsafeMutableBufferPointer { rv in
            for ch in 0..<channels {
                rm[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch]
                rv[ch] = (1 - momentum) * rv[ch] + momentum * unbiasedVariance[ch]
            }
        }}
    }

    /// Inference: per channel `y = x * scale + shift` from the running statistics (which it
    /// also writes into `mean` and `inverseStd`).
    func inferenceScaleAndShift(mean: inout [Float], inverseStd: inout [Float]) -> (scale: [Float], shift: [Float]) {
        let gamma = weight.value.scalars, beta = bias.value.scalars
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        for ch in 0..<channels {
            mean[ch] = runningMean.value.scalars[ch]
            inverseStd[ch] = 1 / (runningVar.value.scalars[ch] + epsilon).squareRoot()
            scale[ch] = gamma[ch] * inverseStd[ch]
            shift[ch] = beta[ch] - mean[ch] * scale[ch]
        }
        return (scale, shift)
    }

    /// `dst[i] = src[i] * scale + shift`.
    @inline(__always)
    private static func scaleAndShift(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int,
                                      scale a: Float, shift b: Float) {
        for i in 0..<count { dst[i] = src[i] * a + b }
    }

    /// The per-channel heart of the backward pass, shared by the plain and the pooled layer:
    /// from Σ dy and Σ dy·(x - μ) over a channel, adds dγ = Σ dy·x̂ and dβ = Σ dy, and returns the
    /// coefficients of dx = a · (dy - mean(dy) - x̂ · mean(dy · x̂)), with a = γ/σ.
    @inline(__always)
    static func channelBackward(sumDy: Double, sumDyCentered: Double, inverseStd inv: Float, gamma: Float,
                                count m: Float, dGamma: inout Float, dBeta: inout Float)
        -> (a: Float, meanDy: Float, meanDyXhat: Float) {
        let sumDyXhat = Float(sumDyCentered) * inv
        dGamma += sumDyXhat
        dBeta += Float(sumDy)
        return (gamma * inv, Float(sumDy) / m, sumDyXhat / m)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let cache else { throw EngineError.backwardBeforeForward(layer: name) }
        let shape = cache.input.shape
        guard outputGradient.shape == shape else {
            throw EngineError.shapeMismatch(layer: name, expected: "output gradient \(shape)", got: outputGradient.shape)
        }
        self.cache = nil
        let n = shape[0], c = channels, hw = shape[2] * shape[3], m = Float(n * hw)
        let gamma = weight.value.scalars
        var inputGradient = Tensor(shape: shape) { _ in }  // every element is written below
        inputGradient.withUnsafeMutableBufferPointer { dx in
        cache.input.withUnsafeBufferPointer { x in
        outputGradient.withUnsafeBufferPointer { dy in
        weight.gradient.withUnsafeMutableBufferPointer { dGamma in
        bias.gradient.withUnsafeMutableBufferPointer { dBeta in
            parallelFor(c) { ch in
                let mu = cache.mean[ch], inv = cache.inverseStd[ch]
                // Σ dy and Σ dy·(x - μ) over the channel.
                var sumDy: Double = 0, sumDyCentered: Double = 0
                for image in 0..<n {
                    let offset = (image * c + ch) * hw
                    let xs = x.baseAddress! + offset, g = dy.baseAddress! + offset
                    let (planeSum, planeDot) = Reductions.sumAndCenteredDot(g, xs, count: hw, center: mu)
                    sumDy += Double(planeSum)
                    sumDyCentered += Double(planeDot)
                }
                let (a, meanDy, meanDyXhat) = BatchNorm2D.channelBackward(
                    sumDy: sumDy, sumDyCentered: sumDyCentered, inverseStd: inv, gamma: gamma[ch], count: m,
                    dGamma: &dGamma[ch], dBeta: &dBeta[ch])
                for image in 0..<n {
                    let offset = (image * c + ch) * hw
                    let xs = x.baseAddress! + offset, g = dy.baseAddress! + offset, out = dx.baseAddress! + offset
                    for i in 0..<hw {
                        let xhat = (xs[i] - mu) * inv
                        out[i] = a * (g[i] - meanDy - xhat * meanDyXhat)
                    }
                }
            }
        }}}}}
        return inputGradient
    }
}
