/// What an index records about the model that built it and about its approximate index.
public struct IndexMetadata: Sendable, Equatable, Codable {
    /// `SiameseModel.fingerprint` of the model whose embeddings these are.
    public var modelFingerprint: String
    /// `ModelConfig.summary`, for people reading `index info` or an error.
    public var modelSummary: String
    /// How images were read: side, polarity and the rest of the preprocessing.
    public var preprocessing: Preprocessing
    /// Set when an approximate (HNSW) index was saved beside this one.
    public var approximate: ApproximateInfo?

    public struct Preprocessing: Sendable, Equatable, Codable {
        public var imageSide: Int
        public var polarity: String
        public var normalization: String
        public init(imageSide: Int, polarity: String, normalization: String) {
            self.imageSide = imageSide
            self.polarity = polarity
            self.normalization = normalization
        }
    }

    /// The HNSW graph saved beside the index (`INDEX.hnsw`), with the size and CRC-32 the
    /// reader checks before handing the file to hnswlib, whose loader trusts its input.
    public struct ApproximateInfo: Sendable, Equatable, Codable {
        public var file: String
        public var bytes: Int
        public var crc32: UInt32
        public var m: Int
        public var efConstruction: Int
        /// Chosen at build time: the smallest tried that reached the target recall@10.
        public var efSearch: Int
        /// Recall@10 against exact search, on a sample of the index's own entries as queries.
        public var recallAt10: Double
        public var sampleQueries: Int

        public init(file: String, bytes: Int, crc32: UInt32, m: Int, efConstruction: Int, efSearch: Int,
                    recallAt10: Double, sampleQueries: Int) {
            self.file = file
            self.bytes = bytes
            self.crc32 = crc32
            self.m = m
            self.efConstruction = efConstruction
            self.efSearch = efSearch
            self.recallAt10 = recallAt10
            self.sampleQueries = sampleQueries
        }
    }

    public init(modelFingerprint: String, modelSummary: String, preprocessing: Preprocessing,
                approximate: ApproximateInfo? = nil) {
        self.modelFingerprint = modelFingerprint
        self.modelSummary = modelSummary
        self.preprocessing = preprocessing
        self.approximate = approximate
    }
}
