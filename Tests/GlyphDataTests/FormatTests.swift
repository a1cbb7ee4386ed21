import Foundation
import Testing
@testable import GlyphData

/// `.npy` bytes with the given header dict and payload (version 1, padded as NumPy pads).
func npyBytes(_ dict: String, payload: [UInt8], version: UInt8 = 1) -> Data {
    var header = Array(dict.utf8)
    let prefix = version == 1 ? 10 : 12
    while (prefix + header.count + 1) % 64 != 0 { header.append(0x20) }
    header.append(0x0A)
    var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
    if version == 1 {
        out += [UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
    } else {
        out += [UInt8(header.count & 0xFF), UInt8(header.count >> 8 & 0xFF), 0, 0]
    }
    return Data(out + header + payload)
}

@Suite("npy, png and resize")
struct FormatTests {
    @Test func npyParsesBoolAndInt64InEveryVersion() throws {
        for version: UInt8 in [1, 2, 3] {
            let b = try NPYReader.readBool(npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }",
                                                    payload: [1, 0, 1, 1, 0, 0], version: version), file: "t.npy")
            #expect(b.shape == [2, 3] && b.values == [1, 0, 1, 1, 0, 0])
        }
        let payload: [UInt8] = [5, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let i = try NPYReader.readInt64(npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", payload: payload),
                                        file: "t.npy")
        #expect(i.shape == [2] && i.values == [5, -1])
    }

    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "dtype"),
        ("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", "dtype"),
        ("{'descr': '|b1', 'fortran_order': True, 'shape': (2, 3), }", "Fortran"),
        ("{'descr': '|b1', 'fortran_order': False, 'shape': (4, 4), }", "payload"),
        ("{'descr': '|b1', 'fortran_order': False, }", "shape"),
        ("{'descr': '|b1', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }", "shape"),
    ])
    func npyRefusesWhatDoesNotFit(dict: String, expected: String) throws {
        let data = npyBytes(dict, payload: [UInt8](repeating: 0, count: 8))
        #expect {
            _ = try NPYReader.readBool(data, file: "bad.npy")
            _ = try NPYReader.readInt64(data, file: "bad.npy")
        } throws: { error in
            guard case let .corruptNPY(file, reason) = error as? DataError else { return false }
            return file == "bad.npy" && reason.contains(expected)
        }
    }

    @Test func npyRefusesNonsense() {
        for bytes in [Data(), Data([1, 2, 3]), Data("not numpy at all, just some text".utf8)] {
            #expect(throws: DataError.self) { try NPYReader.readBool(bytes, file: "x.npy") }
        }
    }

    @Test func npzWithWrongShapeOrDtypeIsRefusedNamingTheMember() throws {
        // A zip whose images are float32: written with ZIPFoundation from npy bytes made here.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("images_background.npz")
        let labels = npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (964, 20), }",
                              payload: (0..<(964 * 20)).flatMap { i -> [UInt8] in
                                  let v = UInt64(i / 20); return (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
                              })
        let images = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        try writeZip(url, members: ["labels.npy": labels, "images.npy": images])
        #expect {
            try Omniglot.loadNPZ(url, set: .background)
        } throws: { error in
            guard case let .corruptNPY(file, reason) = error as? DataError else { return false }
            return file.hasSuffix("images_background.npz:images.npy") && reason.contains("<f4")
        }
        // Right dtype, wrong number of characters.
        let few = npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3, 20, 105, 105), }",
                           payload: [UInt8](repeating: 1, count: 3 * 20 * 105 * 105))
        try FileManager.default.removeItem(at: url)
        try writeZip(url, members: ["labels.npy": labels, "images.npy": few])
        #expect {
            try Omniglot.loadNPZ(url, set: .background)
        } throws: { error in "\(error)".contains("964") && "\(error)".contains("images.npy") }
        // Labels for the wrong set.
        #expect(throws: DataError.self) { try Omniglot.loadNPZ(url, set: .evaluation) }
    }

    @Test func pngDecoderReadsEveryColourTypeAndDepth() throws {
        // A 3x2 image: black, white, mid gray / white, black, white.
        let gray: [UInt8] = [0, 255, 128, 255, 0, 255]
        let cases: [(Data, String)] = [
            (try PNGEncoder.encode(gray, width: 3, height: 2, layout: .gray), "gray8"),
            (try PNGEncoder.encode(gray.flatMap { [$0, $0, $0] }, width: 3, height: 2, layout: .rgb), "rgb8"),
            (try PNGEncoder.encode(gray.flatMap { [$0, 255] }, width: 3, height: 2, layout: .grayAlpha), "ga8"),
            (try PNGEncoder.encode(gray.flatMap { [$0, $0, $0, 255] }, width: 3, height: 2, layout: .rgba), "rgba8"),
        ]
        for (png, name) in cases {
            let d = try PNGDecoder.decodeGray(png, file: name)
            #expect(d.width == 3 && d.height == 2, "\(name)")
            #expect(d.gray[0] == 0 && d.gray[1] == 1 && d.gray[4] == 0 && d.gray[5] == 1, "\(name)")
            #expect(abs(d.gray[2] - 128.0 / 255) < 0.02, "\(name): \(d.gray[2])")
        }
        // 16-bit: linear black and white survive exactly.
        let sixteen = try PNGEncoder.encode16([0, 65535, 0, 65535], width: 2, height: 2)
        #expect(try PNGDecoder.decodeGray(sixteen, file: "g16").gray == [0, 1, 0, 1])
        // Fully transparent pixels composite on white, whatever their colour.
        let transparent = try PNGEncoder.encode([0, 0, 0, 0, 0, 0, 0, 255], width: 2, height: 1, layout: .rgba)
        #expect(try PNGDecoder.decodeGray(transparent, file: "alpha").gray == [1, 0])
    }

    @Test func userImagesDetectInkPolarityAndResize() throws {
        // 40x20 white canvas with a black 10x10 square in the middle.
        var pixels = [UInt8](repeating: 255, count: 40 * 20)
        for y in 5..<15 { for x in 15..<25 { pixels[y * 40 + x] = 0 } }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dark = folder.appendingPathComponent("dark.png"), light = folder.appendingPathComponent("light.png")
        try PNGEncoder.encode(pixels, width: 40, height: 20).write(to: dark)
        try PNGEncoder.encode(pixels.map { 255 - $0 }, width: 40, height: 20).write(to: light)
        let a = try UserImages.load(file: dark, side: 20)
        let b = try UserImages.load(file: light, side: 20)
        #expect(a.count == 400 && a == b)  // same glyph whichever the polarity
        // Padded to 40x40 then halved: the square covers rows 7..<12 (5+10 offset, /2) and columns 7..<12.
        #expect(a[9 * 20 + 9] == 1 && a[0] == 0 && a[9 * 20 + 2] == 0)
        #expect(a.reduce(0, +) == 25)
        // Forcing the wrong polarity gives the negative.
        let forced = try UserImages.load(file: dark, side: 20, polarity: .lightInk)
        #expect(forced[5 * 20] == 1 && forced[9 * 20 + 9] == 0)  // (5, 0): white paper of the original, now ink
    }

    @Test func userFolderOfClassesAndLooseImages() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let glyph = try PNGEncoder.encode([UInt8](repeating: 255, count: 64).enumerated().map { $0.offset == 27 ? 0 : 255 },
                                          width: 8, height: 8)
        for (cls, count) in [("alpha", 3), ("beta", 2)] {
            let dir = folder.appendingPathComponent("classes/\(cls)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for k in 0..<count { try glyph.write(to: dir.appendingPathComponent("\(k).png")) }
        }
        let ds = try UserFolder.load(folder.appendingPathComponent("classes"), preprocessing: .legacy(side: 8)).dataset
        #expect(ds.characters.map(\.name) == ["alpha", "beta"])
        #expect(ds.imagesOfCharacter.map(\.count) == [3, 2])
        #expect(ds.characters.allSatisfy { $0.set == .user })
        #expect(ds.ink[27] == 255 && ds.ink[0] == 0)
        // Images lying in the folder itself are not a layout: the error names one of them.
        let loose = folder.appendingPathComponent("loose")
        try FileManager.default.createDirectory(at: loose, withIntermediateDirectories: true)
        for name in ["x.png", "y.png"] { try glyph.write(to: loose.appendingPathComponent(name)) }
        #expect { try UserFolder.load(loose, preprocessing: .legacy(side: 4)) } throws: { "\($0)".contains("x.png") }
        // A corrupt image in a class folder is reported by name.
        try Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: folder.appendingPathComponent("classes/beta/z.png"))
        #expect { try UserFolder.load(folder.appendingPathComponent("classes"), preprocessing: .legacy(side: 4)) } throws: {
            "\($0)".contains("z.png")
        }
    }

    @Test func areaResizeMatchesPyTorch() {
        // Reference values from torch.nn.functional.interpolate(x, size=(s, s), mode="area") on
        // x[i] = ((i * 37) % 101) / 100 over a 105x105 image (PyTorch 2, float32).
        let x = (0..<(105 * 105)).map { Float(($0 * 37) % 101) / 100 }
        let expected: [Int: [(Int, Float)]] = [
            28: [(0, 0.43937504291534424), (1, 0.4845000207424164), (30, 0.5491999387741089),
                 (392, 0.4830000400543213), (783, 0.43937504291534424)],
            10: [(0, 0.5022314190864563), (1, 0.5128099322319031), (12, 0.4849586486816406),
                 (50, 0.5102479457855225), (99, 0.49024784564971924)],
            7: [(0, 0.5067999958992004), (1, 0.5040444135665894), (9, 0.4992446005344391),
                (24, 0.5013777613639832), (48, 0.4959554076194763)],
        ]
        let sums: [Int: Float] = [28: 391.2228698730469, 10: 49.98289489746094, 7: 24.49568748474121]
        for (side, values) in expected {
            let y = resizeArea(x, from: 105, to: side)
            for (i, v) in values { #expect(abs(y[i] - v) < 1e-5, "side \(side) index \(i): \(y[i]) vs \(v)") }
            #expect(abs(y.reduce(0, +) - sums[side]!) < 1e-2)
        }
        // 5 -> 3 with overlapping windows, by hand: [3, 4.5, 6, 10.5, 12, 13.5, 18, 19.5, 21].
        #expect(resizeArea((0..<25).map(Float.init), from: 5, to: 3) == [3, 4.5, 6, 10.5, 12, 13.5, 18, 19.5, 21])
    }

    @Test(.needsOmniglot) func datasetResizeKeepsLabels() throws {
        let ds = syntheticDataset(characters: 3, alphabets: 1, drawings: 2, side: 4)
        let small = ds.resized(to: 2)
        #expect(small.side == 2 && small.labels == ds.labels && small.imageCount == ds.imageCount)
        #expect(Array(small.ink[(5 * 4)..<(6 * 4)]) == [5, 5, 5, 5])
        // On real glyphs the byte path agrees with the float function, rounded to bytes.
        let (bg, _) = try TestData.npz()
        let few = bg.subset(characters: [0, 500])
        let small28 = few.resized(to: 28)
        for i in 0..<few.imageCount {
            var image = [Float](repeating: 0, count: 105 * 105)
            image.withUnsafeMutableBufferPointer { few.copyImage(i, into: $0.baseAddress!) }
            let expected = resizeArea(image, from: 105, to: 28).map { UInt8(($0 * 255).rounded()) }
            #expect(Array(small28.ink[(i * 784)..<((i + 1) * 784)]) == expected)
        }
    }

    @Test func md5MatchesKnownDigests() {
        #expect(MD5.hex(of: [UInt8]()) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(of: Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        let long = Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8)
        #expect(MD5.hex(of: long) == "57edf4a22be3c955ac49da2e2107b67a")
        var chunked = MD5()
        long.withUnsafeBytes { raw in
            chunked.update(UnsafeRawBufferPointer(rebasing: raw[0..<7]))
            chunked.update(UnsafeRawBufferPointer(rebasing: raw[7...]))
        }
        #expect(chunked.hexDigest() == "57edf4a22be3c955ac49da2e2107b67a")
    }
}
