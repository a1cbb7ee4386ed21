import Foundation

/// Runs libFuzzer with `body` as the target; each input arrives as `Data`. Never returns.
///
/// SwiftPM renames an executable's entry point (to `<Module>_main`) and points `main` at it,
/// so libFuzzer's own `main` is never used: the target's top-level code calls this, which
/// hands libFuzzer the command line through `LLVMFuzzerRunDriver`. Built without
/// `-sanitize=fuzzer` the symbol is missing, so build fuzz targets only with scripts/fuzz.sh.
public func fuzz(_ body: @escaping (Data) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(runDriver(&argc, &argv) { bytes, count in
        target?(Data(bytes: bytes, count: count))
        return 0
    })
}

nonisolated(unsafe) private var target: ((Data) -> Void)?

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt
