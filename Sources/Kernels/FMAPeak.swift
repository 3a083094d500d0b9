import CKernels

/// The arithmetic peak of this CPU, measured with a dependency-free FMA loop.
public enum FMAPeak {
    /// Runs the widest-ISA FMA loop for `iterations` rounds on the calling thread and
    /// returns the floating-point operations it did.
    public static func runLoop(iterations: Int) -> Int {
        var checksum = 0.0
        let flops = imgvec_fma_peak_loop(iterations, &checksum)
        precondition(checksum.isFinite, "FMA loop produced a non-finite checksum")
        return flops
    }
}
