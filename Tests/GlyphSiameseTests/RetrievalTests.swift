import Foundation
import GlyphData
import GlyphRandom
@testable import GlyphSiamese
import Testing

/// Retrieval scores (precision@1, R-precision, MAP@R) against a direct computation, and the
/// one-shot tasks capped to what a small dataset holds.
@Suite struct RetrievalTests {
    /// The scores computed the plain way: sort every other image by distance for each query.
    func reference(_ e: Embeddings, _ labels: [Int]) -> (p1: Double, rp: Double, map: Double, n: Int) {
        var p1 = 0.0, rp = 0.0, map = 0.0, n = 0
        for q in 0..<e.count {
            let r = labels.filter { $0 == labels[q] }.count - 1
            if r == 0 { continue }
            let order = (0..<e.count).filter { $0 != q }.sorted {
                (e.distance(q, $0), $0) < (e.distance(q, $1), $1)
            }
            var hits = 0, sum = 0.0
            for (rank, j) in order.prefix(r).enumerated() where labels[j] == labels[q] {
                hits += 1
                sum += Double(hits) / Double(rank + 1)
            }
            p1 += labels[order[0]] == labels[q] ? 1 : 0
            rp += Double(hits) / Double(r)
            map += sum / Double(r)
            n += 1
        }
        return (p1 / Double(n), rp / Double(n), map / Double(n), n)
    }

    @Test func scoresMatchTheDirectComputation() {
        var g = SeededGenerator(seed: 11)
        // 300 points in 4 dimensions, 37 classes of uneven size around noisy centres, one singleton.
        var labels = (0..<299).map { $0 % 37 }
        labels.append(99)
        var values = [Float]()
        for l in labels {
            for k in 0..<4 { values.append(Float((l * 7 + k * 3) % 11) / 11 + Float(g.nextInt(below: 1000)) / 2500) }
        }
        let e = Embeddings(dimension: 4, values: values)
        let s = RetrievalScores.score(e, labels: labels)
        let r = reference(e, labels)
        #expect(s.queries == r.n && s.queries == 299)
        #expect(abs(s.precisionAt1 - r.p1) < 1e-9, "\(s.precisionAt1) vs \(r.p1)")
        #expect(abs(s.rPrecision - r.rp) < 1e-9)
        #expect(abs(s.mapAtR - r.map) < 1e-9)
        #expect(s.mapAtR <= s.rPrecision + 1e-12)  // MAP@R never exceeds R-precision
        #expect(s.precisionAt1 > 0.2 && s.precisionAt1 < 1)
    }

    @Test func separatedClassesScorePerfectlyAndAConstantModelDoesNot() {
        let labels = (0..<40).map { $0 / 5 }
        let separated = Embeddings(dimension: 2, values: labels.flatMap { [Float($0) * 10, 0] })
        let perfect = RetrievalScores.score(separated, labels: labels)
        #expect(perfect.precisionAt1 == 1 && perfect.rPrecision == 1 && perfect.mapAtR == 1)
        let constant = RetrievalScores.score(Embeddings(dimension: 2, values: [Float](repeating: 1, count: 80)), labels: labels)
        #expect(constant.mapAtR < 0.5)
    }

    @Test func tasksAreCappedToWhatTheTestClassesHold() {
        // 9 classes of 3 images in one group: 20-way becomes 9-way, 5-shot tasks need 6 images.
        let characters = (0..<9).map { CharacterInfo(id: $0 + 1, alphabet: "only", set: .user, name: "c\($0)") }
        let labels = (0..<27).map { $0 / 3 }
        let small = GlyphDataset(side: 1, characters: characters, ink: [UInt8](repeating: 0, count: 27), labels: labels,
                                 drawings: labels.indices.map { $0 % 3 }, sources: labels.map { "c\($0)" })
        let (tasks, notes) = Evaluator.tasks(fitting: small)
        #expect(tasks.map(\.1.key) == ["9way_1shot_across", "5way_1shot_across"])
        #expect(notes.contains { $0.contains("single group") })
        #expect(notes.contains { $0.contains("20way_1shot_across capped at 9 ways") })
        #expect(notes.contains { $0.contains("20way_5shot_across left out") })
    }
}
