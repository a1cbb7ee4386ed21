import CJPEG
import Foundation

/// JPEG decoding through libjpeg-turbo's TurboJPEG API, straight to 8-bit gray.
///
/// Warnings (a truncated file, corrupt entropy data) are errors here: libjpeg would otherwise
/// fill the missing rows with gray and report success, a silent wrong image. Progressive files
/// are limited to 500 scans, TurboJPEG's guard against files crafted to take minutes.
enum JPEGDecoder {
    static func size(of data: Data, file: String) throws -> (width: Int, height: Int) {
        try withDecoder(file: file) { handle in
            let header = try readHeader(handle, data, file: file)
            return (header.width, header.height)
        }
    }

    static func decodeGray8(_ data: Data, file: String) throws -> (width: Int, height: Int, gray: [UInt8]) {
        try withDecoder(file: file) { handle in
            let header = try readHeader(handle, data, file: file)
            try InputLimits.checkAllocation(width: header.width, height: header.height, file: file)
            if header.colorspace == Int32(TJCS_CMYK.rawValue) || header.colorspace == Int32(TJCS_YCCK.rawValue) {
                throw DataError.corruptImage(file: file, format: "JPEG", reason: "CMYK JPEGs are not supported (save it as RGB or gray)")
            }
            var gray = [UInt8](repeating: 255, count: header.width * header.height)
            let status = data.withUnsafeBytes { raw in
                gray.withUnsafeMutableBufferPointer { out in
                    tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), out.baseAddress,
                                  Int32(header.width), 0, Int32(header.height), Int32(TJPF_GRAY.rawValue),
                                  TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS)
                }
            }
            guard status == 0 else { throw DataError.corruptImage(file: file, format: "JPEG", reason: errorText(handle)) }
            return (header.width, header.height, gray)
        }
    }

    private static func readHeader(_ handle: tjhandle, _ data: Data, file: String) throws
        -> (width: Int, height: Int, colorspace: Int32) {
        guard !data.isEmpty else { throw DataError.corruptImage(file: file, format: "JPEG", reason: "the file is empty") }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                                &width, &height, &subsampling, &colorspace)
        }
        guard status == 0 else { throw DataError.corruptImage(file: file, format: "JPEG", reason: errorText(handle)) }
        return (Int(width), Int(height), colorspace)
    }

    private static func withDecoder<T>(file: String, _ body: (tjhandle) throws -> T) throws -> T {
        guard let handle = tjInitDecompress() else {
            throw DataError.corruptImage(file: file, format: "JPEG", reason: "libjpeg-turbo could not start a decoder")
        }
        defer { tjDestroy(handle) }
        return try body(handle)
    }

    private static func errorText(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "libjpeg-turbo could not decode it" }
        let message = String(cString: text)
        return message.isEmpty ? "libjpeg-turbo could not decode it" : message
    }
}

/// Writes gray JPEGs (for tests and fixtures): TurboJPEG's compressor, quality 1-100.
enum JPEGEncoder {
    static func encodeGray(_ gray: [UInt8], width: Int, height: Int, quality: Int = 95) throws -> Data {
        guard width > 0, height > 0, gray.count == width * height else {
            throw DataError.invalidArgument("JPEGEncoder: \(gray.count) samples do not make a \(width)x\(height) image")
        }
        guard let handle = tjInitCompress() else { throw DataError.invalidArgument("JPEGEncoder: no compressor") }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = gray.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_GRAY.rawValue),
                        &output, &size, Int32(TJSAMP_GRAY.rawValue), Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else { throw DataError.invalidArgument("JPEGEncoder: \(errorText(handle))") }
        return Data(bytes: output, count: Int(size))
    }

    private static func errorText(_ handle: tjhandle) -> String {
        tjGetErrorStr2(handle).map { String(cString: $0) } ?? "compression failed"
    }
}
