import Kernels

extension ConvolutionRun {
    /// Whether a convolution of this geometry, given a same-shape skip connection, reads each
    /// residual value before it writes the output value at the same offset, and none after: so
    /// that its output may be written over the residual (``Operator/inPlaceInput(_:outputs:)``).
    ///
    /// True on the paths that add the residual as each tile is stored: the per-image GEMM
    /// (across images too: the product is finished in scratch, then copied out) and the direct
    /// convolution, with a reduction one k block deep (a deeper one writes its partial sums into
    /// the output before the last block adds the residual). Not Winograd and depthwise (a
    /// post-pass adds the residual to the finished output), nor the channel and gathered lanes
    /// (their transposed result is written back before the residual is added); the lanes are
    /// ruled out for any thread count (one thread is the widest case).
    static func addsResidualInPlace(_ g: ConvolutionGeometry, winogradEligible: Bool) -> Bool {
        !g.isDepthwise && g.reductionDepth > 0 && g.reductionDepth <= GEMM.Kernel.automatic.depthBlock
            && !(winogradEligible && usesWinograd(g)) && !usesGatheredLanes(g) && !usesChannelLanes(g, threads: 1)
    }
}
