import Foundation
import Testing
@testable import GlyphData

/// PNG, JPEG and TIFF files written byte by byte, to claim any size in a header.
enum HandmadeImages {
    /// A PNG with the given IHDR and rows (filter byte 0 added here), zlib "stored" blocks, no
    /// other chunks (no gAMA: the way many tools write 16-bit files).
    static func png(width: Int, height: Int, bitDepth: UInt8 = 8, colorType: UInt8 = 0, rows: [[UInt8]]) -> Data {
        var raw = [UInt8]()
        for row in rows { raw.append(0); raw += row }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        zlib += bigEndian(adler32(raw))
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [bitDepth, colorType, 0, 0, 0])
        out += chunk("IDAT", zlib)
        out += chunk("IEND", [])
        return Data(out)
    }

    /// A little-endian uncompressed 8-bit gray TIFF claiming `width`x`height`, holding `pixels`.
    static func tiff(width: Int, height: Int, pixels: [UInt8]) -> Data {
        let entries: [(UInt16, UInt16, UInt32)] = [  // tag, type (3 short, 4 long), value
            (256, 4, UInt32(width)), (257, 4, UInt32(height)), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8), (277, 3, 1), (278, 4, UInt32(height)), (279, 4, UInt32(pixels.count)),
        ]
        let ifdOffset = 8 + pixels.count
        var out: [UInt8] = [0x49, 0x49, 42, 0] + littleEndian(UInt32(ifdOffset)) + pixels
        out += [UInt8(entries.count), 0]
        for (tag, type, value) in entries {
            out += [UInt8(tag & 0xFF), UInt8(tag >> 8), UInt8(type), 0, 1, 0, 0, 0]
            out += type == 3 ? [UInt8(value & 0xFF), UInt8(value >> 8), 0, 0] : littleEndian(value)
        }
        out += [0, 0, 0, 0]
        return Data(out)
    }

    /// A real JPEG with the frame header's size replaced (the file then claims `width`x`height`).
    static func jpeg(claiming width: Int, _ height: Int) throws -> Data {
        var bytes = [UInt8](try JPEGEncoder.encodeGray([UInt8](repeating: 200, count: 64), width: 8, height: 8))
        let sof = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = UInt8(height >> 8); bytes[sof + 6] = UInt8(height & 0xFF)
        bytes[sof + 7] = UInt8(width >> 8); bytes[sof + 8] = UInt8(width & 0xFF)
        return Data(bytes)
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func littleEndian(_ v: UInt32) -> [UInt8] { bigEndian(v).reversed() }
}

@Suite("image decoders")
struct ImageDecoderTests {
    /// A 24x16 test picture: a gradient with a dark bar, in gray levels.
    static let width = 24, height = 16
    static let picture: [UInt8] = (0..<(width * height)).map { i in
        let x = i % width, y = i / width
        return (6...9).contains(y) && x > 3 ? 20 : UInt8(255 - x * 8)
    }

    @Test func jpegDecodesToGray() throws {
        let data = try JPEGEncoder.encodeGray(Self.picture, width: Self.width, height: Self.height, quality: 100)
        #expect(ImageFormat.sniff(data) == .jpeg)
        let image = try ImageDecoder.decode(data, file: "a.jpg")
        #expect(image.width == Self.width && image.height == Self.height)
        let worst = zip(image.pixels, Self.picture).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 4, "quality-100 JPEG differs by \(worst) levels")
    }

    @Test func tiffDecodesEveryLayout() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = Self.width, h = Self.height, gray = Self.picture
        let url = folder.appendingPathComponent("t.tif")
        // 8-bit gray, deflated and not.
        for deflate in [true, false] {
            try TIFFEncoder.write(gray, width: w, height: h, channels: 1, deflate: deflate, to: url)
            #expect(try ImageDecoder.decode(contentsOf: url).pixels == gray)
        }
        // 16-bit gray: the same values, 257 times larger.
        try TIFFEncoder.write(gray.map { UInt16($0) * 257 }, width: w, height: h, channels: 1, to: url)
        #expect(try ImageDecoder.decode(contentsOf: url).pixels == gray)
        // RGB with equal channels.
        try TIFFEncoder.write(gray.flatMap { [$0, $0, $0] }, width: w, height: h, channels: 3, to: url)
        #expect(try ImageDecoder.decode(contentsOf: url).pixels == gray)
        // Gray + alpha: transparent pixels are white paper, opaque ones keep their gray.
        let alpha: [UInt8] = gray.indices.flatMap { i -> [UInt8] in [gray[i], i % 2 == 0 ? 255 : 0] }
        try TIFFEncoder.write(alpha, width: w, height: h, channels: 2, alpha: true, to: url)
        let composited = try ImageDecoder.decode(contentsOf: url).pixels
        #expect(composited.indices.allSatisfy { $0 % 2 == 0 ? composited[$0] == gray[$0] : composited[$0] == 255 })
        // The handmade TIFF reads too (so the crafted headers below are refused for their size only).
        #expect(try ImageDecoder.decode(HandmadeImages.tiff(width: w, height: h, pixels: gray), file: "hand.tif").pixels == gray)
    }

    /// A 16-bit gray PNG reads exactly as its 8-bit twin, with and without a gAMA chunk.
    @Test func sixteenBitPNGReadsAsItsEightBitTwin() throws {
        let w = Self.width, h = Self.height, gray = Self.picture
        let rows8 = (0..<h).map { Array(gray[($0 * w)..<(($0 + 1) * w)]) }
        let rows16 = rows8.map { row in row.flatMap { [$0, $0] } }  // v * 257, big-endian
        let eight = try ImageDecoder.decode(HandmadeImages.png(width: w, height: h, rows: rows8), file: "8.png")
        let sixteen = try ImageDecoder.decode(HandmadeImages.png(width: w, height: h, bitDepth: 16, rows: rows16), file: "16.png")
        #expect(eight.pixels == gray)
        #expect(sixteen.pixels == gray)
        let linear = try PNGEncoder.encode16(gray.map { UInt16($0) * 257 }, width: w, height: h)  // libpng writes gAMA 1.0
        #expect(try ImageDecoder.decode(linear, file: "16g.png").pixels == gray)
        // 16-bit gray + alpha: transparent is white.
        let rowsAlpha: [[UInt8]] = rows8.map { row in
            row.enumerated().flatMap { (x: Int, v: UInt8) -> [UInt8] in
                let a: UInt8 = x % 2 == 0 ? 255 : 0
                return [v, v, a, a]
            }
        }
        let ga = try ImageDecoder.decode(HandmadeImages.png(width: w, height: h, bitDepth: 16, colorType: 4, rows: rowsAlpha),
                                         file: "ga16.png")
        for i in ga.pixels.indices {
            let expected: UInt8 = (i % w) % 2 == 0 ? gray[i] : 255
            #expect(ga.pixels[i] == expected, "pixel \(i)")
        }
    }

    @Test func formatComesFromTheBytesNotTheName() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = try PNGEncoder.encode(Self.picture, width: Self.width, height: Self.height)
        let misnamed = folder.appendingPathComponent("really-a-png.jpg")
        try png.write(to: misnamed)
        #expect(try ImageDecoder.decode(contentsOf: misnamed).pixels == Self.picture)
        let text = folder.appendingPathComponent("notes.png")
        try Data("these are not pixels".utf8).write(to: text)
        #expect { try ImageDecoder.decode(contentsOf: text) } throws: { error in
            error as? DataError == .notAnImage(file: text.path) && "\(error)".contains("not an image (PNG, JPEG or TIFF)")
        }
        #expect { try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("gone.png")) } throws: { "\($0)".contains("gone.png") }
        #expect { try ImageDecoder.decode(contentsOf: folder) } throws: { "\($0)".contains("folder") }
    }

    @Test func corruptAndTruncatedFilesAreNamed() throws {
        let jpeg = try JPEGEncoder.encodeGray(Self.picture, width: Self.width, height: Self.height)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("t.tif")
        try TIFFEncoder.write(Self.picture, width: Self.width, height: Self.height, channels: 1, deflate: true, to: url)
        let tiff = try Data(contentsOf: url)
        let png = try PNGEncoder.encode(Self.picture, width: Self.width, height: Self.height)
        // A cut file is an error naming it, or, when only trailing bytes after the pixels are
        // gone (PNG's IEND chunk, the TIFF's next-directory pointer), the right picture:
        // never a wrong one.
        for (name, data) in [("cut.jpg", jpeg), ("cut.tif", tiff), ("cut.png", png)] {
            for keep in [4, 12, 40, data.count / 2, data.count - 3] {
                do {
                    let image = try ImageDecoder.decode(data.prefix(keep), file: name)
                    #expect(keep == data.count - 3 && name != "cut.jpg", "\(name) cut to \(keep) bytes decoded")
                    #expect(image.pixels == Self.picture, "\(name) cut to \(keep) bytes")
                } catch {
                    #expect(error is DataError && "\(error)".contains(name), "\(name) cut to \(keep): \(error)")
                }
            }
        }
        // Entropy data overwritten in the middle of the JPEG: an error, not a silently gray image.
        var damaged = [UInt8](jpeg)
        let sos = try #require((0..<(damaged.count - 1)).first { damaged[$0] == 0xFF && damaged[$0 + 1] == 0xDA })
        for i in (sos + 14)..<min(damaged.count - 2, sos + 40) { damaged[i] = 0xFF }
        #expect { try ImageDecoder.decode(Data(damaged), file: "bad.jpg") } throws: { "\($0)".contains("bad.jpg") }
    }

    /// Sizes are refused from the header, before any pixel buffer: the files claim gigapixels in
    /// a few hundred bytes, and the error is the size error (the decoders never ran).
    @Test func headerSizesAreRefusedBeforeDecoding() throws {
        let tooWide = HandmadeImages.png(width: 1_000_000, height: 1, rows: [])
        let tooLarge = HandmadeImages.png(width: 20_000, height: 20_000, rows: [])
        let oneByOne = HandmadeImages.png(width: 1, height: 1, rows: [[0]])
        let cases: [(String, Data, String)] = [
            ("wide.png", tooWide, "larger than the limit"), ("large.png", tooLarge, "larger than the limit"),
            ("dot.png", oneByOne, "smaller than the minimum"),
            ("large.jpg", try HandmadeImages.jpeg(claiming: 20_000, 20_000), "larger than the limit"),
            ("wide.jpg", try HandmadeImages.jpeg(claiming: 65_000, 1), "larger than the limit"),
            ("dot.jpg", try HandmadeImages.jpeg(claiming: 1, 1), "smaller than the minimum"),
            ("large.tif", HandmadeImages.tiff(width: 20_000, height: 20_000, pixels: [0, 0, 0, 0]), "larger than the limit"),
            ("wide.tif", HandmadeImages.tiff(width: 1_000_000, height: 1, pixels: [0, 0, 0, 0]), "larger than the limit"),
            ("dot.tif", HandmadeImages.tiff(width: 1, height: 1, pixels: [0]), "smaller than the minimum"),
            ("many.png", HandmadeImages.png(width: 9_000, height: 9_000, rows: []), "more than the limit"),
        ]
        for (name, data, reason) in cases {
            #expect(data.count < 1000)
            #expect { try ImageDecoder.decode(data, file: name) } throws: { error in
                guard case let .imageSize(file, message) = error as? DataError else { return false }
                return file == name && message.contains(reason)
            }
        }
        // The low-level PNG decoder (Omniglot's) refuses the huge ones too, before allocating.
        #expect { try PNGDecoder.decodeGray8(tooWide, file: "wide.png") } throws: { "\($0)".contains("limit") }
        #expect(InputLimits.maximumImageSide == 10_000 && InputLimits.minimumImageSide == 4)
    }
}
