import CDNNL

/// One oneDNN primitive (a convolution pass) whose arguments live in the engine's plain
/// row-major buffers, plus the reorders between those and the layouts the primitive prefers.
///
/// Primitives are created with `format_tag any`, so oneDNN picks its fastest layout (blocked,
/// e.g. nChw8c) for activations and weights. Where that differs from the plain layout the
/// engine uses (NCHW, OIHW), `run` reorders into an aligned buffer in the preferred layout
/// before the primitive runs (inputs) or out of it afterwards (outputs), so the rest of the
/// engine never sees a blocked tensor. Those buffers live only during `run`: a network's
/// layers then share the same freed heap pages instead of each keeping its own (Koch at 256
/// images: about 300 MB less peak memory).
final class OneDNNPrimitive {
    /// One argument: a memory object over the caller's buffer and, when the layouts differ,
    /// one over an owned buffer in the primitive's layout with the reorder between them.
    private struct Binding {
        let argument: Int32
        let isOutput: Bool
        let user: dnnl_memory_t
        let inner: dnnl_memory_t?
        let innerBytes: Int
        let reorder: dnnl_primitive_t?
        /// The primitive's layout for this argument when it differs from the plain one.
        let innerLayout: dnnl_memory_desc_t?
    }

    private let primitive: dnnl_primitive_t
    /// Kept: a forward pass's descriptor is the hint its backward passes are created with.
    let descriptor: OneDNNPrimitiveDescriptor
    private let stream: dnnl_stream_t
    private let bindings: [Binding]
    /// For error messages: the layer and the pass, e.g. "Conv2D(64->128, 7x7) forward".
    private let label: String

    /// `descriptor` is an initialized operation descriptor (e.g. a `dnnl_convolution_desc_t`);
    /// `arguments` gives each execute argument (`OneDNN.Argument`) its plain layout and whether
    /// the primitive writes it (an output), in the order `run` takes the buffers. `hint` is the forward primitive descriptor for backward passes.
    init(label: String, descriptor: UnsafeRawPointer, hint: OneDNNPrimitiveDescriptor? = nil,
         arguments: [(Int32, dnnl_memory_desc_t, Bool)]) throws {
        self.label = label
        let engine = try OneDNN.engine()
        let pd = try OneDNNPrimitiveDescriptor(label: label, descriptor: descriptor, engine: engine, hint: hint)
        var primitive: dnnl_primitive_t?
        try OneDNN.check(dnnl_primitive_create(&primitive, pd.handle), "\(label): creating the primitive")
        self.primitive = primitive!
        self.descriptor = pd
        var stream: dnnl_stream_t?
        try OneDNN.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue),
                         "\(label): creating a stream")
        self.stream = stream!

        var bindings: [Binding] = []
        for (argument, userLayout, isOutput) in arguments {
            var plain = userLayout
            guard let chosen = dnnl_primitive_desc_query_md(pd.handle, dnnl_query_exec_arg_md, argument) else {
                throw EngineError.invalidArgument("\(label): oneDNN reports no layout for argument \(argument)")
            }
            var user: dnnl_memory_t?
            try OneDNN.check(dnnl_memory_create(&user, &plain, engine, nil), "\(label): creating a memory object")
            guard dnnl_memory_desc_equal(&plain, chosen) == 0 else {
                bindings.append(Binding(argument: argument, isOutput: isOutput, user: user!, inner: nil,
                                        innerBytes: 0, reorder: nil, innerLayout: nil))
                continue
            }
            var inner: dnnl_memory_t?
            try OneDNN.check(dnnl_memory_create(&inner, chosen, engine, nil), "\(label): creating a memory object")
            var reorderPD: dnnl_primitive_desc_t?
            try OneDNN.check(isOutput
                ? dnnl_reorder_primitive_desc_create(&reorderPD, chosen, engine, &plain, engine, nil)
                : dnnl_reorder_primitive_desc_create(&reorderPD, &plain, engine, chosen, engine, nil),
                "\(label): creating a reorder")
            defer { dnnl_primitive_desc_destroy(reorderPD) }
            var reorder: dnnl_primitive_t?
            try OneDNN.check(dnnl_primitive_create(&reorder, reorderPD), "\(label): creating a reorder")
            bindings.append(Binding(argument: argument, isOutput: isOutput, user: user!, inner: inner,
                                    innerBytes: max(dnnl_memory_desc_get_size(chosen), 64), reorder: reorder,
                                    innerLayout: chosen.pointee))
        }
        self.bindings = bindings
    }

    deinit {
        for b in bindings {
            dnnl_memory_destroy(b.user)
            if let inner = b.inner { dnnl_memory_destroy(inner) }
            if let reorder = b.reorder { dnnl_primitive_destroy(reorder) }
        }
        dnnl_primitive_destroy(primitive)
        dnnl_stream_destroy(stream)
    }

    /// Runs the primitive on the caller's plain buffers, given in the order of `arguments` at
    /// init. Inputs are only read; outputs are overwritten. `formatted` gives inputs that are
    /// already in the primitive's layout (`reorderInput`), by argument: their plain buffer is
    /// then not read.
    func run(_ buffers: [UnsafeMutableRawPointer], formatted: [Int32: UnsafeMutableRawPointer] = [:]) throws {
        precondition(buffers.count == bindings.count, "\(label): wrong number of buffers")
        OneDNN.applyThreadCount()
        let innerBuffers = bindings.map { b in
            b.inner == nil || formatted[b.argument] != nil
                ? nil : UnsafeMutableRawPointer.allocate(byteCount: b.innerBytes, alignment: 64)
        }
        defer { for buffer in innerBuffers { buffer?.deallocate() } }
        var arguments: [dnnl_exec_arg_t] = []
        arguments.reserveCapacity(bindings.count)
        for (i, (b, buffer)) in zip(bindings, buffers).enumerated() {
            try OneDNN.check(dnnl_memory_set_data_handle(b.user, buffer), "\(label): binding a buffer")
            if let inner = b.inner, let ready = formatted[b.argument] {
                try OneDNN.check(dnnl_memory_set_data_handle(inner, ready), "\(label): binding a buffer")
                arguments.append(dnnl_exec_arg_t(arg: b.argument, memory: inner))
                continue
            }
            if let inner = b.inner {
                try OneDNN.check(dnnl_memory_set_data_handle(inner, innerBuffers[i]), "\(label): binding a buffer")
            }
            if let reorder = b.reorder, let inner = b.inner, !b.isOutput {
                try execute(reorder, [dnnl_exec_arg_t(arg: OneDNN.Argument.from, memory: b.user),
                                      dnnl_exec_arg_t(arg: OneDNN.Argument.to, memory: inner)])
            }
            arguments.append(dnnl_exec_arg_t(arg: b.argument, memory: b.inner ?? b.user))
        }
        try execute(primitive, arguments)
        for b in bindings where b.isOutput {
            if let reorder = b.reorder, let inner = b.inner {
                try execute(reorder, [dnnl_exec_arg_t(arg: OneDNN.Argument.from, memory: inner),
                                      dnnl_exec_arg_t(arg: OneDNN.Argument.to, memory: b.user)])
            }
        }
        try OneDNN.check(dnnl_stream_wait(stream), "\(label): waiting for the stream")
    }

    /// The primitive's own layout for input `argument` and its size in bytes, when it is not
    /// the plain one (a caller can then reorder the input once for two primitives).
    func innerLayout(of argument: Int32) -> (layout: dnnl_memory_desc_t, bytes: Int)? {
        guard let b = bindings.first(where: { $0.argument == argument }), let layout = b.innerLayout else { return nil }
        return (layout, b.innerBytes)
    }

    /// Reorders the plain input `argument` into `destination`, in the primitive's layout
    /// (`innerLayout(of:)` bytes), for `run(_:formatted:)`.
    func reorderInput(_ argument: Int32, from plain: UnsafeMutableRawPointer,
                      into destination: UnsafeMutableRawPointer) throws {
        guard let b = bindings.first(where: { $0.argument == argument }), let inner = b.inner, let reorder = b.reorder,
              !b.isOutput else { preconditionFailure("\(label): argument \(argument) needs no reorder") }
        OneDNN.applyThreadCount()
        try OneDNN.check(dnnl_memory_set_data_handle(b.user, plain), "\(label): binding a buffer")
        try OneDNN.check(dnnl_memory_set_data_handle(inner, destination), "\(label): binding a buffer")
        try execute(reorder, [dnnl_exec_arg_t(arg: OneDNN.Argument.from, memory: b.user),
                              dnnl_exec_arg_t(arg: OneDNN.Argument.to, memory: inner)])
        try OneDNN.check(dnnl_stream_wait(stream), "\(label): waiting for the stream")
    }

    private func execute(_ p: dnnl_primitive_t, _ arguments: [dnnl_exec_arg_t]) throws {
        try arguments.withUnsafeBufferPointer { args in
            try OneDNN.check(dnnl_primitive_execute(p, stream, Int32(args.count), args.baseAddress),
                             "\(label): executing")
        }
    }
}

/// An owned `dnnl_primitive_desc_t`: forward passes keep theirs as the hint that backward
/// passes need.
final class OneDNNPrimitiveDescriptor {
    let handle: dnnl_primitive_desc_t

    init(label: String, descriptor: UnsafeRawPointer, engine: dnnl_engine_t, hint: OneDNNPrimitiveDescriptor?) throws {
        var pd: dnnl_primitive_desc_t?
        try OneDNN.check(dnnl_primitive_desc_create(&pd, descriptor, nil, engine, hint?.handle),
                         "\(label): creating the primitive descriptor")
        handle = pd!
    }

    deinit { dnnl_primitive_desc_destroy(handle) }

    /// The implementation oneDNN chose, e.g. "jit:avx2" (for tests and diagnostics).
    var implementation: String {
        var text: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(handle, dnnl_query_impl_info_str, 0, &text) == dnnl_success,
              let text else { return "unknown" }
        return String(cString: text)
    }
}

/// The process-wide oneDNN CPU engine, status checks and argument indices.
enum OneDNN {
    /// `DNNL_ARG_*` (macros Swift does not import).
    enum Argument {
        static let src: Int32 = 1
        static let from: Int32 = 1
        static let dst: Int32 = 17
        static let to: Int32 = 17
        static let weights: Int32 = 33
        static let bias: Int32 = 41
        static let diffSrc: Int32 = 129
        static let diffDst: Int32 = 145
        static let diffWeights: Int32 = 161
        static let diffBias: Int32 = 169
    }

    nonisolated(unsafe) private static let cpuEngine: dnnl_engine_t? = {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success else { return nil }
        return engine
    }()

    static func engine() throws -> dnnl_engine_t {
        guard let cpuEngine else { throw EngineError.invalidArgument("oneDNN: could not create the CPU engine") }
        return cpuEngine
    }

    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws {
        guard status == dnnl_success else {
            throw EngineError.invalidArgument("\(what()): oneDNN status \(status.rawValue)")
        }
    }

    /// oneDNN's OpenMP pool takes its size from the calling thread's setting, so every call
    /// sets it to the engine's thread count first (a cheap store): callers may be on any thread.
    static func applyThreadCount() {
        omp_set_num_threads(Int32(ComputeThreads.count))
    }

    /// A memory descriptor of float32 with `dims` in the layout `tag` (`dnnl_format_tag_any`
    /// lets the primitive choose).
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map(Int64.init)
        try check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, dnnl_f32, tag),
                  "oneDNN: describing a tensor of shape \(dims)")
        return md
    }
}
