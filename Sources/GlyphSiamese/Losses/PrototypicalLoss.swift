import Foundation
import GlyphEngine

/// The prototypical loss (Snell et al. 2017) over a labelled batch (P characters x K images),
/// without separate support and query sets: every image is a query, classified among the
/// batch's characters by a softmax over its negative squared Euclidean distances to each
/// character's prototype, the mean embedding of that character's images. A query is left out
/// of its own character's prototype (otherwise it would partly match itself).
///
///     L_i = -log softmax_k( -|x_i - c_k^(-i)|^2 / temperature )[y_i],   L = mean over queries
///
/// Why offer it beside the course report's losses: a pair or a triplet compares an image with one other,
/// while this compares it with every character of the batch at once, which is exactly the
/// N-way one-shot task the field scores, and trains it with a smooth loss that never runs out
/// of active terms. Class ids: any integers, equal for images of the same character. An image whose character has no other image in the
/// batch is not a query (it has no prototype to match) but still counts in the others'.
///
/// `temperature` divides the squared distances: on L2-normalized embeddings they lie in
/// [0, 4], so a temperature near 0.1 spreads the logits over about 40 units; on raw
/// embeddings Snell et al. use 1 (the network then sets the scale itself).
public struct PrototypicalLoss: EmbeddingLoss, Codable, Equatable {
    public var temperature: Float

    public init(temperature: Float = 0.1) {
        self.temperature = temperature
    }

    public var layout: BatchLayout { .classBatch }

    public func callAsFunction(embeddings: Tensor, classes labels: [Int]) throws -> LossOutput {
        guard temperature.isFinite, temperature > 0 else {
            throw SiameseError.invalidConfiguration("PrototypicalLoss: the temperature must be a positive number, got \(temperature)")
        }
        let (n, d) = try embeddingMatrixShape(embeddings, group: 1, loss: "PrototypicalLoss")
        guard labels.count == n else {
            throw SiameseError.invalidConfiguration("PrototypicalLoss: \(labels.count) class ids for \(n) embedding rows")
        }
        // Classes in order of first appearance; members[k] are the rows of class k.
        var classOf = [Int: Int]()
        var members = [[Int]]()
        for (row, label) in labels.enumerated() {
            if let k = classOf[label] { members[k].append(row) } else {
                classOf[label] = members.count
                members.append([row])
            }
        }
        let classes = members.count
        let rowClass = labels.map { classOf[$0]! }
        let queries = (0..<n).filter { members[rowClass[$0]].count >= 2 }
        guard classes >= 2, !queries.isEmpty else {
            throw SiameseError.invalidConfiguration(
                "PrototypicalLoss: the batch of \(n) rows and \(classes) classes needs at least 2 classes and one "
                + "class with 2 or more images (a P x K batch with P >= 2, K >= 2)")
        }

        return embeddings.withUnsafeBufferPointer { x in
            // Sums of each class's rows; prototypes are sums / counts, minus the query for its own class.
            var sums = [Float](repeating: 0, count: classes * d)
            for row in 0..<n {
                let k = rowClass[row]
                for j in 0..<d { sums[k * d + j] += x[row * d + j] }
            }
            let scale = 1 / Float(queries.count)
            var gradient = [Float](repeating: 0, count: n * d)
            // For each class k, the sum over queries i of dL/dc_ik (spread over k's members below),
            // and for each row, its own term of that sum (a query is not in its own prototype).
            var prototypeGradientSums = [Float](repeating: 0, count: classes * d)
            var ownPrototypeGradient = [Float](repeating: 0, count: n * d)
            var lossSum = 0.0, positiveSum = 0.0, negativeSum = 0.0
            var negativeCount = 0, misclassified = 0
            var difference = [Float](repeating: 0, count: classes * d)  // x_i - c_ik for every k
            var logits = [Float](repeating: 0, count: classes)
            var distances = [Float](repeating: 0, count: classes)
            var exponentials = [Float](repeating: 0, count: classes)

            for i in queries {
                let y = rowClass[i]
                for k in 0..<classes {
                    let size = members[k].count - (k == y ? 1 : 0)
                    let inverse = 1 / Float(size)
                    var squared: Float = 0
                    for j in 0..<d {
                        let prototypeSum = sums[k * d + j] - (k == y ? x[i * d + j] : 0)
                        let diff = x[i * d + j] - prototypeSum * inverse
                        difference[k * d + j] = diff
                        squared += diff * diff
                    }
                    distances[k] = squared
                    logits[k] = -squared / temperature
                }
                // Softmax with the maximum subtracted; loss = logsumexp - logit of the true class.
                let top = logits.max()!
                var total: Float = 0
                for k in 0..<classes {
                    exponentials[k] = exp(logits[k] - top)
                    total += exponentials[k]
                }
                lossSum += Double(top + log(total) - logits[y])
                if logits.firstIndex(of: top)! != y { misclassified += 1 }
                positiveSum += Double(distances[y].squareRoot())
                for k in 0..<classes where k != y {
                    negativeSum += Double(distances[k].squareRoot())
                    negativeCount += 1
                }
                // dL_i/dlogit_k = p_k - [k = y]; dlogit_k/dx_i = -2 (x_i - c_k) / T; dlogit_k/dc_k = +2 (x_i - c_k) / T.
                for k in 0..<classes {
                    let probability = exponentials[k] / total
                    let slope = (probability - (k == y ? 1 : 0)) * 2 / temperature * scale
                    guard slope != 0 else { continue }
                    let perMember = slope / Float(members[k].count - (k == y ? 1 : 0))
                    for j in 0..<d {
                        let diff = difference[k * d + j]
                        gradient[i * d + j] -= slope * diff
                        prototypeGradientSums[k * d + j] += perMember * diff
                        if k == y { ownPrototypeGradient[i * d + j] += perMember * diff }
                    }
                }
            }
            // Each row receives its class's prototype gradients from every query but itself.
            for row in 0..<n {
                let k = rowClass[row]
                for j in 0..<d {
                    gradient[row * d + j] += prototypeGradientSums[k * d + j] - ownPrototypeGradient[row * d + j]
                }
            }
            let q = Double(queries.count)
            let statistics = LossStatistics(
                activeFraction: Float(Double(misclassified) / q),
                meanPositiveDistance: Float(positiveSum / q),
                meanNegativeDistance: Float(negativeSum / Double(max(negativeCount, 1))),
                meanEmbeddingNorm: meanRowNorm(embeddings), count: queries.count)
            return LossOutput(loss: Float(lossSum / q), gradient: Tensor(shape: [n, d], scalars: gradient),
                              statistics: statistics)
        }
    }
}
