import CDNNL

/// Runs `body(i)` for `i` in `0..<iterations`, spread over `ComputeThreads.count` threads of the
/// OpenMP pool that oneDNN's convolutions also run on.
///
/// One pool: a second one (Dispatch's, before) kept its threads busy-waiting or waking while
/// oneDNN's OpenMP threads wanted the same cores, and each pool's idle threads spun against
/// the other's work. Now the threads that finish a convolution are the ones that run the next
/// batch-norm or pooling loop, still warm.
///
/// Iterations are grouped into one contiguous chunk per thread, so per-call overhead stays
/// small and each thread streams through adjacent memory. `body` must be safe to run
/// concurrently for different `i`. Called inside a parallel region (a nested `parallelFor`, or
/// from an OpenMP thread) it runs serially on the calling thread: the cores are already busy,
/// and a nested team would oversubscribe them.
public func parallelFor(_ iterations: Int, _ body: (Int) -> Void) {
    let threads = min(ComputeThreads.count, iterations)
    if threads <= 1 || omp_in_parallel() != 0 {
        for i in 0..<iterations { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var job = ParallelJob(iterations: iterations, body: body)
        withUnsafeMutablePointer(to: &job) { job in
            GOMP_parallel(runParallelChunk, UnsafeMutableRawPointer(job), UInt32(threads), 0)
        }
    }
}

/// What every thread of a `parallelFor` team reads: the loop's size and body. The team only
/// reads it, and `GOMP_parallel` returns after the whole team is done, so the stack value
/// outlives every access.
private struct ParallelJob {
    let iterations: Int
    let body: (Int) -> Void
}

/// The C entry each team thread runs: its contiguous share of the iterations. The share comes
/// from the team's actual size, which libgomp may make smaller than asked (thread limits), so
/// every iteration runs exactly once either way.
private let runParallelChunk: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
    let job = raw!.assumingMemoryBound(to: ParallelJob.self)
    let iterations = job.pointee.iterations, body = job.pointee.body
    let team = Int(omp_get_num_threads()), me = Int(omp_get_thread_num())
    let start = iterations * me / team, end = iterations * (me + 1) / team
    for i in start..<end { body(i) }
}
