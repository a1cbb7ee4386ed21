/// Threshold-free verification figures. Throughout, a smaller distance means "more likely
/// the same character"; a "positive" is a same pair. NaN distances count as +infinity.
/// With no same pairs or no different pairs the figures are undefined: the functions then
/// return the value of an uninformative model (AUC 0.5, EER 0.5, the diagonal), which
/// keeps JSON output valid; callers that can face such input should check the counts.

/// Area under the ROC curve: the probability that a random same pair is closer than a
/// random different pair, ties counting 1/2 (the Mann-Whitney U statistic / (P x N)).
public func rocAUC(distances: [Float], same: [Bool]) -> Double {
    guard distances.count == same.count else { return 0.5 }
    let order = sortedPairs(distances: distances, same: same)
    let positives = order.reduce(0) { $0 + ($1.same ? 1 : 0) }
    let negatives = order.count - positives
    guard positives > 0, negatives > 0 else { return 0.5 }
    // For each group of equal distances: its same pairs beat every different pair seen
    // later (farther), and tie with the group's own different pairs.
    var differentSoFar = 0
    var wins = 0.0
    var i = 0
    while i < order.count {
        let value = order[i].distance
        var groupSame = 0, groupDifferent = 0
        while i < order.count && order[i].distance == value {
            if order[i].same { groupSame += 1 } else { groupDifferent += 1 }
            i += 1
        }
        let differentLater = negatives - differentSoFar - groupDifferent
        wins += Double(groupSame) * (Double(differentLater) + 0.5 * Double(groupDifferent))
        differentSoFar += groupDifferent
    }
    return wins / (Double(positives) * Double(negatives))
}

/// The vertices of the ROC curve: (false positive rate, true positive rate) when every
/// pair with distance <= t is called "same", for t below everything and at each distinct
/// distance. Tied distances move together, so a tie is a diagonal step.
func rocVertices(distances: [Float], same: [Bool]) -> [(fpr: Double, tpr: Double)]? {
    guard distances.count == same.count else { return nil }
    let order = sortedPairs(distances: distances, same: same)
    let positives = order.reduce(0) { $0 + ($1.same ? 1 : 0) }
    let negatives = order.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    var vertices: [(fpr: Double, tpr: Double)] = [(0, 0)]
    var truePositives = 0, falsePositives = 0
    var i = 0
    while i < order.count {
        let value = order[i].distance
        while i < order.count && order[i].distance == value {
            if order[i].same { truePositives += 1 } else { falsePositives += 1 }
            i += 1
        }
        vertices.append((Double(falsePositives) / Double(negatives), Double(truePositives) / Double(positives)))
    }
    return vertices
}

/// The equal error rate: where the false positive rate (different pairs called same)
/// equals the false negative rate (same pairs called different), linearly interpolated
/// between the two thresholds on either side of the crossing.
public func equalErrorRate(distances: [Float], same: [Bool]) -> Double {
    guard let vertices = rocVertices(distances: distances, same: same) else { return 0.5 }
    // gap = FNR - FPR starts at 1 and falls to -1 along the vertices.
    var previous = vertices[0]
    var previousGap = (1 - previous.tpr) - previous.fpr
    for vertex in vertices.dropFirst() {
        let gap = (1 - vertex.tpr) - vertex.fpr
        if gap <= 0 {
            let t = previousGap / (previousGap - gap)
            return previous.fpr + t * (vertex.fpr - previous.fpr)
        }
        previous = vertex
        previousGap = gap
    }
    return previous.fpr
}

/// The ROC curve sampled at `points` evenly spaced false positive rates from 0 to 1
/// (for plots): the true positive rate at each, linearly interpolated along the curve's
/// vertices; where the curve rises vertically, the top of the rise is taken.
public func rocCurve(distances: [Float], same: [Bool], points: Int = 101) -> [(falsePositiveRate: Double, truePositiveRate: Double)] {
    let count = max(2, points)
    let grid = (0..<count).map { Double($0) / Double(count - 1) }
    guard let vertices = rocVertices(distances: distances, same: same) else {
        return grid.map { ($0, $0) }
    }
    var result: [(falsePositiveRate: Double, truePositiveRate: Double)] = []
    result.reserveCapacity(count)
    var k = 0
    for f in grid {
        // The last vertex with fpr <= f (the top of any vertical rise at f).
        while k + 1 < vertices.count && vertices[k + 1].fpr <= f { k += 1 }
        var tpr = vertices[k].tpr
        if k + 1 < vertices.count {
            let a = vertices[k], b = vertices[k + 1]
            tpr = a.tpr + (f - a.fpr) / (b.fpr - a.fpr) * (b.tpr - a.tpr)
        }
        result.append((f, min(1, max(0, tpr))))
    }
    return result
}
