// swift-tools-version:6.0
// GlyphSim: Siamese networks that tell whether two handwritten glyphs show the same character.
//
// Four floors, each importing only the floors below it:
//   glyphsim (CLI) -> GlyphSiamese -> GlyphData, GlyphEngine -> GlyphRandom, system libraries.
import PackageDescription

import Foundation

// -fno-math-errno lets `squareRoot()` become a vector instruction instead of a call to libm's
// errno-setting sqrtf (3x faster Adam updates); NaN results are unchanged.
//
// On x86-64 the engine's loops are compiled for AVX2 (`-target-cpu haswell`, every x86 CPU
// since 2013-2015): the default baseline is SSE2, 4 floats per instruction, and batch norm,
// pooling and the reductions then ran at half width. Swift never fuses a multiply and an add
// on its own, so results are the same bit for bit. GLYPHSIM_TARGET_CPU=<cpu> picks another
// CPU, and an empty value the compiler's baseline (for an older machine).
#if arch(x86_64)
let targetCPU = ProcessInfo.processInfo.environment["GLYPHSIM_TARGET_CPU"] ?? "haswell"
#else
let targetCPU = ProcessInfo.processInfo.environment["GLYPHSIM_TARGET_CPU"] ?? ""
#endif
let cpuFlags = targetCPU.isEmpty ? [] : ["-target-cpu", targetCPU]
//
// Release builds keep Swift's safety checks (bounds, overflow, preconditions): GlyphSim reads
// users' files and network requests, and a bad value must become an error, not an
// out-of-bounds read. `-O`, never `-Ounchecked`.
let optimize: [SwiftSetting] = [.unsafeFlags(["-O", "-wmo", "-Xcc", "-fno-math-errno"] + cpuFlags,
                                             .when(configuration: .release))]

let package = Package(
    name: "GlyphSim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "glyphsim", targets: ["glyphsim"]),
        .library(name: "GlyphEngine", targets: ["GlyphEngine"]),
        .library(name: "GlyphData", targets: ["GlyphData"]),
        .library(name: "GlyphSiamese", targets: ["GlyphSiamese"]),
        .library(name: "GlyphIndex", targets: ["GlyphIndex"]),
        .library(name: "GlyphServe", targets: ["GlyphServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // System libraries, installed by scripts/setup.sh from the distribution's packages.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CTIFF", path: "Sources/CTIFF", pkgConfig: "libtiff-4",
                       providers: [.apt(["libtiff-dev"])]),
        // hnswlib (Debian's header-only libhnswlib-dev) behind a small extern "C" shim, so the
        // Swift side needs no C++ interop.
        .target(name: "CHNSW", path: "Sources/CHNSW",
                cxxSettings: [.unsafeFlags(["-O3", "-fno-math-errno"] + (targetCPU.isEmpty ? [] : ["-march=\(targetCPU)"]))]),

        // A seeded random generator shared by the engine and the data layer.
        .target(name: "GlyphRandom", swiftSettings: optimize),
        // Tensors, layers with hand-written backward passes, optimizers, checkpoints.
        .target(name: "GlyphEngine", dependencies: ["CDNNL", "CFFTW", "CMalloc", "GlyphRandom"], swiftSettings: optimize),
        // Omniglot and image readers (PNG, JPEG, TIFF), scan reading, user folders, splits, samplers, augmentation, download.
        .target(name: "GlyphData",
                dependencies: ["CPNG", "CJPEG", "CTIFF", "GlyphRandom"],
                swiftSettings: optimize),
        // Presets, losses, mining, the trainer and the evaluator.
        .target(name: "GlyphSiamese",
                dependencies: ["GlyphEngine", "GlyphData", "GlyphRandom", .product(name: "Logging", package: "swift-log")],
                swiftSettings: optimize),
        // Index files of embeddings, exact search (one GEMM) and an approximate index (hnswlib).
        .target(name: "GlyphIndex",
                dependencies: ["GlyphSiamese", "GlyphData", "GlyphEngine", "CHNSW", "CPNG"],
                swiftSettings: optimize),
        // The HTTP API and the page: a Hummingbird app over a model and a searchable collection.
        .target(name: "GlyphServe",
                dependencies: ["GlyphIndex", "GlyphSiamese", "GlyphData",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "MultipartKit", package: "multipart-kit"),
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: optimize),
        // The command line: thin commands over the libraries.
        .executableTarget(name: "glyphsim",
                          dependencies: ["GlyphSiamese", "GlyphEngine", "GlyphData", "GlyphIndex", "GlyphServe",
                                         .product(name: "Hummingbird", package: "hummingbird"),
                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: optimize),

        .testTarget(name: "GlyphEngineTests", dependencies: ["GlyphEngine"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GlyphDataTests",
                    dependencies: ["GlyphData", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "GlyphSiameseTests", dependencies: ["GlyphSiamese"]),
        .testTarget(name: "GlyphIndexTests", dependencies: ["GlyphIndex", "glyphsim", "GlyphSiamese", "GlyphData", "GlyphEngine"]),
        .testTarget(name: "GlyphServeTests",
                    dependencies: ["GlyphServe", "GlyphIndex", "GlyphSiamese", "GlyphData",
                                   .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "GlyphSimCLITests", dependencies: ["glyphsim", "GlyphSiamese", "GlyphData", "GlyphEngine"]),
    ]
)

// Coverage-guided fuzzing (scripts/fuzz.sh, docs/hardening.md): with GLYPHSIM_FUZZ=1 every folder
// Fuzz/<Name> (but Fuzz/corpus and Fuzz/Support, the libFuzzer driver) becomes an executable
// `fuzz-<name>` for libFuzzer, so adding a target is adding one folder.
if ProcessInfo.processInfo.environment["GLYPHSIM_FUZZ"] == "1" {
    let fuzz = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("Fuzz").path
    var isFolder: ObjCBool = false
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: fuzz)) ?? []).filter { name in
        name != "corpus" && name != "Support" && FileManager.default.fileExists(atPath: fuzz + "/" + name, isDirectory: &isFolder) && isFolder.boolValue
    }
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support"))
    for name in names.sorted() {
        package.targets.append(.executableTarget(name: "Fuzz\(name)", dependencies: ["FuzzSupport", "GlyphData", "GlyphEngine", "GlyphSiamese", "GlyphIndex"],
                                                 path: "Fuzz/\(name)"))
        package.products.append(.executable(name: "fuzz-\(name.lowercased())", targets: ["Fuzz\(name)"]))
    }
}
