import CBLAS
import CDNNL
import Foundation

/// Which library multiplies matrices. Experimental switch.
enum GEMMLibrary {
    static let useOneDNN: Bool = ProcessInfo.processInfo.environment["GLYPHSIM_GEMM"] == "onednn"
}

/// `C = alpha * op(A) * op(B) + beta * C` on row-major float32 matrices, through OpenBLAS.
///
/// `op(A)` is `m x k`, `op(B)` is `k x n`, `C` is `m x n`. Leading dimensions are those of
/// the stored (untransposed) row-major matrices. The single seam between the engine and BLAS.
public func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if GEMMLibrary.useOneDNN {
        OneDNN.applyThreadCount()
        let status = dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha,
                                a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        precondition(status == dnnl_success, "dnnl_sgemm failed: \(status.rawValue)")
        return
    }
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans,
                transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}
