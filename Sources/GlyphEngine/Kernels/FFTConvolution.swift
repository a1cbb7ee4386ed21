import CDNNL
import CFFTW
import Synchronization

/// A stride-1 convolution (cross-correlation, as `Conv2D`) computed in the frequency domain:
/// forward, input gradient and weight gradient.
///
/// Why: a `k x k` kernel costs `k²` multiply-adds per output value directly, while in the
/// frequency domain a convolution is one complex multiply-add per frequency. For Koch's large
/// kernels on large maps (10x10 on 105x105, 7x7 on 48x48) that is several times less work; for
/// 3x3 kernels it is not, and direct or Winograd convolution stays faster.
///
/// How: every input plane, zero-padded to an `fftHeight x fftWidth` grid at least as large as
/// the padded input (so the circular correlation never wraps onto an output value), is
/// transformed once by FFTW (real-to-complex: `fftHeight x (fftWidth / 2 + 1)` frequencies).
/// Per frequency the layer is then a complex matrix product over channels, done as one real
/// GEMM on stacked real and imaginary parts:
///
///     forward         Y[n, k] = Σ_c X[n, c] · conj(W[k, c])      [Xr Xi] · B
///     input gradient  dX[n, c] = Σ_k dY[n, k] · W[k, c]           [dYr dYi] · Bᵀ
///     weight gradient dW[k, c] = Σ_n conj(dY[n, k]) · X[n, c]     [dYr dYi]ᵀ · [Xr Xi]
///
/// with `B = [[Wrᵀ, -Wiᵀ], [Wiᵀ, Wrᵀ]]` (`2C x 2K`). Spectra are stored frequency-major
/// (`[frequency][image][real parts, imaginary parts]`), which FFTW's split guru interface writes
/// directly, so each frequency's matrix is contiguous for the GEMM.
///
/// What it keeps: the weights' block matrices from `forward` to `backward` (weights are
/// transformed once per step) and, in training, the input's spectrum, which the weight gradient
/// reuses. Images are processed in tiles so that the output spectra of a tile stay bounded
/// (`tileFloats`).
final class FFTConvolution {
    let geometry: ConvGeometry
    let outChannels: Int
    /// The transform grid: at least the padded input, rounded up to a size FFTW transforms fast.
    let fftHeight: Int
    let fftWidth: Int
    /// Complex values per transformed plane: `fftHeight * (fftWidth / 2 + 1)`.
    let frequencies: Int

    /// Floats the per-tile spectra (output, output gradient, input gradient) may take (64 MB).
    static let tileFloats = 16 << 20

    /// `B` per frequency, `[frequency][2C][2K]`, scaled by `1 / (fftHeight * fftWidth)` (FFTW's
    /// transforms are unnormalized).
    private var blocks: FloatBuffer
    /// The training input's spectrum, `[frequency][images][2C]`, for the weight gradient.
    private var inputSpectrum: FloatBuffer
    private var keptImages = 0

    private var plans = Plans()

    init(geometry: ConvGeometry, outChannels: Int) {
        precondition(geometry.stride == 1, "FFT convolution computes stride 1 only")
        self.geometry = geometry
        self.outChannels = outChannels
        fftHeight = FFTConvolution.fastSize(atLeast: geometry.outHeight + geometry.kernel - 1)
        fftWidth = FFTConvolution.fastSize(atLeast: geometry.outWidth + geometry.kernel - 1)
        frequencies = fftHeight * (fftWidth / 2 + 1)
        blocks = FloatBuffer(count: frequencies * 4 * geometry.channels * outChannels)
        inputSpectrum = FloatBuffer(count: 0)
    }

    private var c: Int { geometry.channels }
    private var k: Int { outChannels }
    private var halfWidth: Int { fftWidth / 2 + 1 }
    private var gridSize: Int { fftHeight * fftWidth }

    /// The smallest size >= `n` whose only prime factors are 2, 3, 5 and 7 (FFTW's fast sizes).
    static func fastSize(atLeast n: Int) -> Int {
        var size = max(n, 1)
        while true {
            var rest = size
            for p in [2, 3, 5, 7] { while rest % p == 0 { rest /= p } }
            if rest == 1 { return size }
            size += 1
        }
    }

    /// Images per tile: as many as keep the larger of the tile's spectra within `tileFloats`.
    private func tileImages(_ images: Int) -> Int {
        let perImage = frequencies * 2 * max(c, k)
        return max(1, min(images, FFTConvolution.tileFloats / perImage))
    }

    // MARK: Forward

    /// `y = x ⋆ w + b` for `images` images (`x` `[images, C, H, W]`, `w` `[K, C, k, k]`, `y`
    /// `[images, K, outHeight, outWidth]`). In training the input's spectrum is kept for
    /// `backward`.
    func forward(x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 images n: Int, training: Bool, into y: UnsafeMutablePointer<Float>) {
        transformWeights(w)
        inputSpectrum.ensure(frequencies * n * 2 * c)
        keptImages = training ? n : 0
        let spectrumX = inputSpectrum.pointer
        transformPlanes(of: x, images: n, channels: c, planeHeight: geometry.height, planeWidth: geometry.width,
                        top: geometry.padTop, left: geometry.padLeft, imageStride: n, into: spectrumX)
        let tile = tileImages(n)
        let spectrumY = FloatBuffer(count: frequencies * tile * 2 * k)
        var first = 0
        while first < n {
            let count = min(tile, n - first)
            let blocks = blocks.pointer, twoC = 2 * c, twoK = 2 * k, f = frequencies
            parallelFor(f) { q in
                FFTConvolution.product(rows: count, inner: twoC, columns: twoK,
                                       a: spectrumX + (q * n + first) * twoC, b: blocks + q * twoC * twoK,
                                       into: spectrumY.pointer + q * count * twoK)
            }
            inversePlanes(from: spectrumY.pointer, images: count, channels: k, imageStride: count,
                          top: 0, left: 0, planeHeight: geometry.outHeight, planeWidth: geometry.outWidth,
                          bias: bias, into: y + first * k * geometry.outHeight * geometry.outWidth)
            first += count
        }
    }

    /// Transforms the weights into `blocks` (once per forward pass: they change every step).
    private func transformWeights(_ w: UnsafePointer<Float>) {
        let f = frequencies, c = c, k = k, kernel = geometry.kernel
        // [frequency][K][C] split (imaginary parts after all real parts), from planes
        // [K][C][kernel][kernel] padded at the origin.
        let spectrum = FloatBuffer(count: 2 * f * k * c)
        let real = spectrum.pointer, imaginary = spectrum.pointer + f * k * c
        let plan = plans.plan(inverse: false, size: (fftHeight, fftWidth), transforms: c,
                              frequencyStride: k * c, imaginaryOffset: f * k * c)
        let threads = min(ComputeThreads.count, k)
        let scratch = FloatBuffer(count: threads * c * gridSize)
        parallelFor(threads) { t in
            let grid = scratch.pointer + t * c * self.gridSize
            grid.initialize(repeating: 0, count: c * self.gridSize)
            for oc in stride(from: t, to: k, by: threads) {
                for ic in 0..<c {
                    let kernelPlane = w + (oc * c + ic) * kernel * kernel
                    for row in 0..<kernel {
                        for col in 0..<kernel {
                            grid[(row * self.fftWidth + col) * c + ic] = kernelPlane[row * kernel + col]
                        }
                    }
                }
                fftwf_execute_split_dft_r2c(plan, grid, real + oc * c, imaginary + oc * c)
            }
        }
        let scale = 1 / Float(gridSize), blocks = blocks.pointer, twoK = 2 * k
        parallelFor(f) { q in
            let block = blocks + q * 4 * c * k, wr = real + q * k * c, wi = imaginary + q * k * c
            for ic in 0..<c {
                let top = block + ic * twoK, bottom = block + (c + ic) * twoK
                for oc in 0..<k {
                    let r = wr[oc * c + ic] * scale, i = wi[oc * c + ic] * scale
                    top[oc] = r
                    top[k + oc] = -i
                    bottom[oc] = i
                    bottom[k + oc] = r
                }
            }
        }
    }

    /// Inner dimensions below this run as plain loops: a GEMM call costs more than the work.
    static let smallInner = 16

    /// `c = a · b` for row-major `a` (`rows x inner`), `b` (`inner x columns`), `c` (`rows x columns`).
    static func product(rows: Int, inner: Int, columns: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                        into c: UnsafeMutablePointer<Float>) {
        guard inner < smallInner else {
            gemm(m: rows, n: columns, k: inner, a: a, lda: inner, b: b, ldb: columns, c: c, ldc: columns)
            return
        }
        for i in 0..<rows {
            let row = c + i * columns, x = a + i * inner
            row.update(repeating: 0, count: columns)
            for p in 0..<inner {
                let v = x[p], bRow = b + p * columns
                for j in 0..<columns { row[j] += v * bRow[j] }
            }
        }
    }

    /// `c = aᵀ · b` for row-major `a` (`rows x left`), `b` (`rows x right`), `c` (`left x right`).
    static func transposedProduct(rows: Int, left: Int, right: Int, a: UnsafePointer<Float>,
                                  b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>) {
        guard left < smallInner else {
            gemm(transposeA: true, m: left, n: right, k: rows, a: a, lda: left, b: b, ldb: right, c: c, ldc: right)
            return
        }
        c.update(repeating: 0, count: left * right)
        for i in 0..<rows {
            let x = a + i * left, y = b + i * right
            for s in 0..<left {
                let v = x[s], row = c + s * right
                for r in 0..<right { row[r] += v * y[r] }
            }
        }
    }

    // MARK: Backward

    /// Given the output gradient `dy` of the last training forward pass: adds the weight
    /// gradient to `dw`, and writes the input gradient to `dx` when asked. (The bias gradient is
    /// `Conv2D`'s, as on every path.)
    func backward(dy: UnsafePointer<Float>, images n: Int, weightGradient dw: UnsafeMutablePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?) {
        precondition(keptImages == n, "FFT convolution: backward without a training forward of \(n) images")
        keptImages = 0
        let f = frequencies, c = c, k = k, twoC = 2 * c, twoK = 2 * k
        let spectrumX = inputSpectrum.pointer
        let tile = tileImages(n)
        let spectrumDY = FloatBuffer(count: f * tile * twoK)
        let spectrumDX = FloatBuffer(count: dx == nil ? 0 : f * tile * twoC)
        // The weight gradient's spectrum, [frequency][K][C] split, summed over tiles.
        let gradientSpectrum = FloatBuffer(count: 2 * f * k * c)
        gradientSpectrum.pointer.initialize(repeating: 0, count: 2 * f * k * c)
        let gradientReal = gradientSpectrum.pointer, gradientImaginary = gradientSpectrum.pointer + f * k * c
        let threads = min(ComputeThreads.count, f)
        let products = FloatBuffer(count: threads * twoK * twoC)
        let outputPlane = geometry.outHeight * geometry.outWidth
        let scale = 1 / Float(gridSize)
        var first = 0
        while first < n {
            let count = min(tile, n - first)
            transformPlanes(of: dy + first * k * outputPlane, images: count, channels: k,
                            planeHeight: geometry.outHeight, planeWidth: geometry.outWidth, top: 0, left: 0,
                            imageStride: count, into: spectrumDY.pointer)
            parallelFor(threads) { t in
                let product = products.pointer + t * twoK * twoC
                for q in stride(from: t, to: f, by: threads) {
                    let dyq = spectrumDY.pointer + q * count * twoK
                    // product = [Xr Xi]ᵀ · [dYr dYi] (2C x 2K), the transpose of the formula's.
                    FFTConvolution.transposedProduct(rows: count, left: twoC, right: twoK,
                                                     a: spectrumX + (q * n + first) * twoC, b: dyq, into: product)
                    let gr = gradientReal + q * k * c, gi = gradientImaginary + q * k * c
                    for ic in 0..<c {
                        let xr = product + ic * twoK, xi = product + (c + ic) * twoK
                        for oc in 0..<k {
                            gr[oc * c + ic] += (xr[oc] + xi[k + oc]) * scale
                            gi[oc * c + ic] += (xi[oc] - xr[k + oc]) * scale
                        }
                    }
                    if let _ = dx {
                        gemm(transposeB: true, m: count, n: twoC, k: twoK,
                             a: dyq, lda: twoK, b: self.blocks.pointer + q * twoC * twoK, ldb: twoK,
                             c: spectrumDX.pointer + q * count * twoC, ldc: twoC)
                    }
                }
            }
            if let dx {
                let planeSize = geometry.height * geometry.width
                inversePlanes(from: spectrumDX.pointer, images: count, channels: c, imageStride: count,
                              top: geometry.padTop, left: geometry.padLeft,
                              planeHeight: geometry.height, planeWidth: geometry.width,
                              bias: nil, into: dx + first * c * planeSize)
            }
            first += count
        }
        inverseWeightGradient(spectrum: gradientSpectrum, into: dw)
    }

    /// `dw[k][c][a][b] += IFFT(dW[k][c])[a][b]` for `a, b < kernel`, from the split spectrum
    /// `[frequency][K][C]` (imaginary parts after all real parts).
    private func inverseWeightGradient(spectrum: FloatBuffer, into dw: UnsafeMutablePointer<Float>) {
        let c = c, k = k, kernel = geometry.kernel, half = frequencies * k * c
        let real = spectrum.pointer, imaginary = spectrum.pointer + half
        let plan = plans.plan(inverse: true, size: (fftHeight, fftWidth), transforms: c,
                              frequencyStride: k * c, imaginaryOffset: half)
        let threads = min(ComputeThreads.count, k)
        let scratch = FloatBuffer(count: threads * c * gridSize)
        parallelFor(threads) { t in
            let grid = scratch.pointer + t * c * self.gridSize
            for oc in stride(from: t, to: k, by: threads) {
                fftwf_execute_split_dft_c2r(plan, real + oc * c, imaginary + oc * c, grid)
                for ic in 0..<c {
                    let target = dw + (oc * c + ic) * kernel * kernel
                    for row in 0..<kernel {
                        for col in 0..<kernel { target[row * kernel + col] += grid[(row * self.fftWidth + col) * c + ic] }
                    }
                }
            }
        }
    }

    // MARK: Transforms of activations

    /// Transforms `images x channels` planes of `planeHeight x planeWidth`, each placed at
    /// (`top`, `left`) of a zero grid, into `spectrum[frequency][imageStride][2 * channels]`.
    private func transformPlanes(of source: UnsafePointer<Float>, images: Int, channels: Int,
                                 planeHeight: Int, planeWidth: Int, top: Int, left: Int, imageStride: Int,
                                 into spectrum: UnsafeMutablePointer<Float>) {
        let plan = plans.plan(inverse: false, size: (fftHeight, fftWidth), transforms: channels,
                              frequencyStride: imageStride * 2 * channels, imaginaryOffset: channels)
        let threads = min(ComputeThreads.count, images)
        let scratch = FloatBuffer(count: threads * channels * gridSize)
        parallelFor(threads) { t in
            let grid = scratch.pointer + t * channels * self.gridSize
            grid.initialize(repeating: 0, count: channels * self.gridSize)
            for image in stride(from: t, to: images, by: threads) {
                for channel in 0..<channels {
                    let plane = source + (image * channels + channel) * planeHeight * planeWidth
                    let target = grid + (top * self.fftWidth + left) * channels + channel
                    for row in 0..<planeHeight {
                        let from = plane + row * planeWidth, to = target + row * self.fftWidth * channels
                        for col in 0..<planeWidth { to[col * channels] = from[col] }
                    }
                }
                let real = spectrum + image * 2 * channels
                fftwf_execute_split_dft_r2c(plan, grid, real, real + channels)
            }
        }
    }

    /// The inverse of `transformPlanes`: each image's `channels` spectra back to planes, the
    /// `planeHeight x planeWidth` window at (`top`, `left`) written (plus `bias[channel]`) to
    /// `target[image][channel]`. Overwrites the spectra (FFTW's complex-to-real transforms use
    /// their input as scratch).
    private func inversePlanes(from spectrum: UnsafeMutablePointer<Float>, images: Int, channels: Int,
                               imageStride: Int, top: Int, left: Int, planeHeight: Int, planeWidth: Int,
                               bias: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>) {
        let plan = plans.plan(inverse: true, size: (fftHeight, fftWidth), transforms: channels,
                              frequencyStride: imageStride * 2 * channels, imaginaryOffset: channels)
        let threads = min(ComputeThreads.count, images)
        let scratch = FloatBuffer(count: threads * channels * gridSize)
        parallelFor(threads) { t in
            let grid = scratch.pointer + t * channels * self.gridSize
            for image in stride(from: t, to: images, by: threads) {
                let real = spectrum + image * 2 * channels
                fftwf_execute_split_dft_c2r(plan, real, real + channels, grid)
                for channel in 0..<channels {
                    let plane = grid + (top * self.fftWidth + left) * channels + channel
                    let out = target + (image * channels + channel) * planeHeight * planeWidth
                    let b = bias?[channel] ?? 0
                    for row in 0..<planeHeight {
                        let from = plane + row * self.fftWidth * channels, to = out + row * planeWidth
                        for col in 0..<planeWidth { to[col] = from[col * channels] + b }
                    }
                }
            }
        }
    }
}

/// FFTW plans by what they transform, created on first use. FFTW's planner is not thread-safe
/// (its execute functions are), so every plan is made under one process-wide lock.
///
/// Every plan transforms `transforms` planes held channel-last in a grid
/// (`[height][width][transforms]`): adjacent transforms are adjacent in memory, which lets FFTW
/// vectorize across them and keeps each frequency's values together in the spectrum
/// (`[frequency * frequencyStride + transform]`, imaginary parts `imaginaryOffset` after the
/// real ones).
private struct Plans {
    private struct Key: Hashable {
        let inverse: Bool
        let height: Int, width: Int
        let transforms: Int
        let frequencyStride: Int
        /// Planned as executed: an offset of one would look like interleaved complex numbers.
        let imaginaryOffset: Int
    }
    private final class Storage {
        var plans: [Key: OpaquePointer] = [:]
        deinit { Plans.planner.withLock { _ in for plan in plans.values { fftwf_destroy_plan(plan) } } }
    }
    private let storage = Storage()
    static let planner = Mutex(())

    /// FFTW_ESTIMATE (plan without timing trials, which would overwrite the arrays) |
    /// FFTW_UNALIGNED (the plans run on offsets into shared buffers).
    private static let flags: UInt32 = (1 << 6) | (1 << 1)

    /// Real grid to split spectrum (`inverse` false), or back (true).
    func plan(inverse: Bool, size: (Int, Int), transforms: Int, frequencyStride: Int,
              imaginaryOffset: Int) -> OpaquePointer {
        let key = Key(inverse: inverse, height: size.0, width: size.1, transforms: transforms,
                      frequencyStride: frequencyStride, imaginaryOffset: imaginaryOffset)
        if let plan = storage.plans[key] { return plan }
        let half = key.width / 2 + 1
        let real = FloatBuffer(count: key.height * key.width * key.transforms)
        let spectrum = FloatBuffer(count: key.frequencyStride * key.height * half + key.transforms + key.imaginaryOffset)
        // Grid strides (row, column) and spectrum strides (row of frequencies, frequency).
        let gridRow = Int32(key.width * key.transforms), gridColumn = Int32(key.transforms)
        let spectrumRow = Int32(half * key.frequencyStride), spectrumColumn = Int32(key.frequencyStride)
        let made: OpaquePointer? = Plans.planner.withLock { _ in
            let ro = spectrum.pointer, io = spectrum.pointer + key.imaginaryOffset
            if key.inverse {
                var dims = [fftwf_iodim(n: Int32(key.height), is: spectrumRow, os: gridRow),
                            fftwf_iodim(n: Int32(key.width), is: spectrumColumn, os: gridColumn)]
                var many = [fftwf_iodim(n: Int32(key.transforms), is: 1, os: 1)]
                return fftwf_plan_guru_split_dft_c2r(2, &dims, 1, &many, ro, io, real.pointer, Plans.flags)
            } else {
                var dims = [fftwf_iodim(n: Int32(key.height), is: gridRow, os: spectrumRow),
                            fftwf_iodim(n: Int32(key.width), is: gridColumn, os: spectrumColumn)]
                var many = [fftwf_iodim(n: Int32(key.transforms), is: 1, os: 1)]
                return fftwf_plan_guru_split_dft_r2c(2, &dims, 1, &many, real.pointer, ro, io, Plans.flags)
            }
        }
        guard let made else { preconditionFailure("FFTW could not plan a \(key.height)x\(key.width) transform") }
        storage.plans[key] = made
        return made
    }
}

/// A heap buffer of floats that the parallel loops write through a pointer (a Swift array
/// cannot be captured mutably by concurrent closures).
final class FloatBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
    }

    /// Makes room for at least `count` floats (the old contents are dropped).
    func ensure(_ count: Int) {
        guard count > self.count else { return }
        pointer.deallocate()
        pointer = .allocate(capacity: count)
        self.count = count
    }

    deinit { pointer.deallocate() }
}
