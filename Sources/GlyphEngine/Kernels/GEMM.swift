import CDNNL

/// `C = alpha * op(A) * op(B) + beta * C` on row-major float32 matrices, through oneDNN's sgemm.
///
/// `op(A)` is `m x k`, `op(B)` is `k x n`, `C` is `m x n`. Leading dimensions are those of
/// the stored (untransposed) row-major matrices. The single seam between the engine and BLAS.
///
/// oneDNN's sgemm, not OpenBLAS's: it runs on the same OpenMP pool as the convolutions and
/// `parallelFor`, so no second pool of idle threads competes for the cores (docs/performance.md
/// has the measurement).
public func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {  // an empty product: C = beta * C (oneDNN rejects k = 0)
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
        return
    }
    OneDNN.applyThreadCount()
    let no = CChar(UInt8(ascii: "N")), yes = CChar(UInt8(ascii: "T"))
    let status = dnnl_sgemm(transposeA ? yes : no, transposeB ? yes : no, Int64(m), Int64(n), Int64(k), alpha,
                            a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    precondition(status == dnnl_success, "sgemm \(m)x\(n)x\(k) failed: oneDNN status \(status.rawValue)")
}
