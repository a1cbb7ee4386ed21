import FuzzSupport
import GlyphData

// A NumPy array, as Omniglot's npz members are read: the header, then the payload as both
// dtypes GlyphSim accepts.
fuzz { data in
    _ = try? NPYReader.header(data, file: "fuzz.npy")
    _ = try? NPYReader.readBool(data, file: "fuzz.npy")
    _ = try? NPYReader.readInt64(data, file: "fuzz.npy")
}
