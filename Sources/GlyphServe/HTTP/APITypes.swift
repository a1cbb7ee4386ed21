import Foundation

/// The JSON documents the API answers with. Keys are written in snake_case (`is_same`,
/// `image_url`) by `JSONBody`'s encoder; docs/openapi.yaml describes each. A missing verdict
/// (a model without a threshold) is written as JSON null, never left out, so clients can rely
/// on every key being there.
struct SearchResult: Encodable {
    var rank: Int
    var id: Int
    var file: String
    var label: String
    var distance: Float
    var similarity: Float
    var isSame: Bool?
    var imageUrl: String

    enum CodingKeys: String, CodingKey { case rank, id, file, label, distance, similarity, isSame, imageUrl }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rank, forKey: .rank)
        try c.encode(id, forKey: .id)
        try c.encode(file, forKey: .file)
        try c.encode(label, forKey: .label)
        try c.encode(distance, forKey: .distance)
        try c.encode(similarity, forKey: .similarity)
        try c.encode(isSame, forKey: .isSame)
        try c.encode(imageUrl, forKey: .imageUrl)
    }
}

struct SearchResponse: Encodable {
    var results: [SearchResult]
    var k: Int
    var threshold: Float?
    var collectionSize: Int

    enum CodingKeys: String, CodingKey { case results, k, threshold, collectionSize }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(results, forKey: .results)
        try c.encode(k, forKey: .k)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(collectionSize, forKey: .collectionSize)
    }
}

struct CompareResponse: Encodable {
    var distance: Float
    var similarity: Float
    var isSame: Bool?
    /// "same", "different", or null when the model has no threshold.
    var verdict: String?
    var threshold: Float?

    enum CodingKeys: String, CodingKey { case distance, similarity, isSame, verdict, threshold }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(distance, forKey: .distance)
        try c.encode(similarity, forKey: .similarity)
        try c.encode(isSame, forKey: .isSame)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(threshold, forKey: .threshold)
    }
}

struct EmbedResponse: Encodable {
    var embedding: [Float]
    var dimension: Int
}

struct HealthResponse: Encodable {
    var status: String
    var entries: Int
}

/// exp(-distance), as `glyphsim compare` prints it: 1 for identical embeddings.
func similarity(_ distance: Float) -> Float { Float(exp(-Double(distance))) }
