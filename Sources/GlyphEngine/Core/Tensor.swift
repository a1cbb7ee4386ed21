/// A dense float32 tensor in row-major (C) order, for example `[N, C, H, W]` for images.
///
/// A value type backed by a copy-on-write `[Float]`: passing a tensor to a layer shares
/// its storage until one side writes, so caching an activation for the backward pass costs
/// no copy. Hot loops reach the storage through `withUnsafe…` to skip bounds checks.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var scalars: [Float]
    /// How the scalars are ordered: `.plain` (row-major) for every tensor a caller builds or
    /// receives; `.channelBlocked` only between the layers of a model (see `TensorLayout`).
    public internal(set) var layout: TensorLayout = .plain

    /// Number of elements implied by a shape (1 for a scalar shape `[]`).
    @inlinable public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(Tensor.count(of: shape) == scalars.count,
                     "shape \(shape) needs \(Tensor.count(of: shape)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.count(of: shape)))
    }

    /// A tensor whose scalars are written by `body` into uninitialized storage.
    public init(shape: [Int], unsafeUninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = Tensor.count(of: shape)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: n) { buffer, count in
            body(buffer)
            count = n
        }
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The same scalars seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(layout == .plain, "reshaped: a channel-blocked tensor has no row-major view")
        return Tensor(shape: newShape, scalars: scalars)
    }

    /// Rows `range` of the first dimension (e.g. a slice of a batch).
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(!shape.isEmpty && range.lowerBound >= 0 && range.upperBound <= shape[0])
        precondition(layout == .plain, "slice: the tensor is channel-blocked")
        let inner = Tensor.count(of: Array(shape.dropFirst()))
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, scalars: Array(scalars[(range.lowerBound * inner)..<(range.upperBound * inner)]))
    }

    /// Concatenates tensors along their first dimension.
    public static func concatenate(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        let inner = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == inner }, "concatenate: inner shapes differ")
        var scalars = [Float]()
        scalars.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { scalars.append(contentsOf: p.scalars) }
        return Tensor(shape: [parts.reduce(0) { $0 + $1.shape[0] }] + inner, scalars: scalars)
    }

    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    @inlinable public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Euclidean norm of all scalars (accumulated in Double).
    public var norm: Double {
        scalars.withUnsafeBufferPointer { p in
            var s = 0.0
            for v in p { s += Double(v) * Double(v) }
            return s.squareRoot()
        }
    }

    /// True when every scalar is finite (no NaN, no infinity).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(scalars.count > 8 ? ", …" : "")])"
    }
}
