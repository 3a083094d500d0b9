/// imgvec's own single-precision GEMM (row-major), written for the engine.
///
/// Goto/BLIS-style: B is packed into KC x NR panels, A into MR x KC panels, and a
/// register-blocked micro-kernel (AVX-512, AVX2+FMA or portable C, chosen once at
/// run time from the CPU) accumulates each MR x NR tile of C. Every call is
/// single-threaded and thread-safe: packing buffers are per thread.
#ifndef IMGVEC_CKERNELS_H
#define IMGVEC_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Which micro-kernel runs a call. AUTO picks the best one this CPU supports.
typedef enum imgvec_sgemm_kernel {
    IMGVEC_SGEMM_KERNEL_AUTO = 0,
    IMGVEC_SGEMM_KERNEL_PORTABLE = 1,
    IMGVEC_SGEMM_KERNEL_AVX2 = 2,
    IMGVEC_SGEMM_KERNEL_AVX512 = 3,
} imgvec_sgemm_kernel;

/// C = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is m x k, op(B) is k x n.
/// transA != 0: A is stored k x m. transB != 0: B is stored n x k.
/// beta == 0 overwrites C without reading it (NaN garbage in C is fine).
void imgvec_sgemm(int transA, int transB, long m, long n, long k, float alpha,
                  const float *a, long lda, const float *b, long ldb,
                  float beta, float *c, long ldc);

/// imgvec_sgemm with an explicit micro-kernel (for tests and benchmarks).
/// Returns 0, or -1 (and does nothing) when this CPU cannot run `kernel`.
int imgvec_sgemm_with_kernel(imgvec_sgemm_kernel kernel, int transA, int transB,
                             long m, long n, long k, float alpha,
                             const float *a, long lda, const float *b, long ldb,
                             float beta, float *c, long ldc);

/// cblas_sgemm (row-major) through the system BLAS (Linux: OpenBLAS, or the library
/// IMGVEC_BLAS_LIBRARY names, loaded with dlopen on first use and set to one thread per call;
/// see blas_loader.c). Returns 0, or -1 (and does nothing) when no BLAS could be loaded, and
/// always on other systems, where the Swift side links the platform's BLAS itself.
int imgvec_blas_sgemm(int transA, int transB, long m, long n, long k, float alpha,
                      const float *a, long lda, const float *b, long ldb,
                      float beta, float *c, long ldc);

/// Threads the loaded BLAS may use per call (OpenBLAS only; no-op otherwise).
void imgvec_blas_set_threads(int count);

/// Threads the loaded BLAS uses per call (1 when it cannot tell).
int imgvec_blas_threads(void);

/// The kernel AUTO resolves to on this CPU (detected once, then cached).
imgvec_sgemm_kernel imgvec_sgemm_active_kernel(void);

/// 1 when this CPU (and OS) can run `kernel`.
int imgvec_sgemm_kernel_available(imgvec_sgemm_kernel kernel);

/// Columns of C per micro-kernel tile (NR; AUTO: the active kernel's), 0 when unavailable.
/// Packed right operands split over threads at multiples of it.
long imgvec_sgemm_kernel_columns(imgvec_sgemm_kernel kernel);

/// Rows of C per micro-kernel tile (MR; AUTO: the active kernel's), 0 when unavailable.
long imgvec_sgemm_kernel_rows(imgvec_sgemm_kernel kernel);

/// The deepest reduction (KC; AUTO: the active kernel's) a product takes in one k block, 0 when
/// unavailable. A deeper one writes C's partial sums before the last block adds the epilogue.
long imgvec_sgemm_kernel_depth(imgvec_sgemm_kernel kernel);

/// A short name: "avx512", "avx2", "portable".
const char *imgvec_sgemm_kernel_name(imgvec_sgemm_kernel kernel);

/// A constant A operand (e.g. convolution weights) packed once into the kernel's layout.
typedef struct imgvec_packed_a imgvec_packed_a;

/// Packs op(A) (m x k) for `kernel` (AUTO for the best). NULL when out of memory,
/// when the kernel is unavailable, or when m or k is not positive.
imgvec_packed_a *imgvec_sgemm_pack_a(imgvec_sgemm_kernel kernel, int transA, long m, long k,
                                     const float *a, long lda);

/// Frees a packed operand (NULL is fine).
void imgvec_sgemm_packed_a_free(imgvec_packed_a *packed);

/// C = alpha * A * op(B) + beta * C with a packed A (all of its m rows); op(B) is k x n.
void imgvec_sgemm_packed(const imgvec_packed_a *packed, int transB, long n, float alpha,
                         const float *b, long ldb, float beta, float *c, long ldc);

struct imgvec_sgemm_epilogue;   // defined below, with the vector math

/// Rows `row_begin..<row_end` of the packed-A product (C points at the first of them), so
/// threads can split a product by rows, then `epilogue` (may be NULL) on each finished tile
/// (its row bias indexed by A's rows). With b_row_scale (k floats, or NULL), op(B) is
/// diag(b_row_scale) B: a per-input-channel scale (squeeze-excitation's) applied as B is packed,
/// so the scaled input is never written out. `row_begin` must be a multiple of
/// `imgvec_sgemm_packed_a_alignment`. Returns 0, or -1 (nothing written) for a bad range.
int imgvec_sgemm_packed_rows(const imgvec_packed_a *packed, long row_begin, long row_end, int transB, long n,
                             float alpha, const float *b, long ldb, const float *b_row_scale, float beta,
                             float *c, long ldc, const struct imgvec_sgemm_epilogue *epilogue);

/// The row granularity of a packed A (the micro-kernel's MR).
long imgvec_sgemm_packed_a_alignment(const imgvec_packed_a *packed);

/// Pointwise float functions (imgvec_vmath). Accuracy: about 2e-7 relative (never worse
/// than 2e-6) where the result is a normal float, exact limits at ±infinity, NaN propagates.
typedef enum imgvec_vmath_function {
    IMGVEC_VMATH_EXP = 0,
    IMGVEC_VMATH_SIGMOID = 1,      ///< 1 / (1 + e^-x)
    IMGVEC_VMATH_SILU = 2,         ///< x * sigmoid(x)
    IMGVEC_VMATH_TANH = 3,
    IMGVEC_VMATH_ERF = 4,
    IMGVEC_VMATH_GELU = 5,         ///< x/2 * (1 + erf(x / sqrt 2))
    IMGVEC_VMATH_GELU_TANH = 6,    ///< x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
    IMGVEC_VMATH_HARDSWISH = 7,    ///< x * clamp(x/6 + 1/2, 0, 1)
    IMGVEC_VMATH_HARDSIGMOID = 8,  ///< clamp(a x + b, 0, 1)
    IMGVEC_VMATH_CLAMP = 9,        ///< min(max(x, a), b); NaN stays NaN (relu: a = 0, b = inf)
    IMGVEC_VMATH_QUICK_GELU = 10,  ///< x * sigmoid(a x) (CLIP's QuickGELU: a = 1.702)
    IMGVEC_VMATH_IDENTITY = 11,    ///< x (the "no activation" of an epilogue)
} imgvec_vmath_function;

/// y[i] = function(x[i]) for i < n, with the AVX-512, AVX2+FMA or portable build chosen
/// once from the CPU. In place (x == y) is fine; any other overlap is not.
/// a, b: the parameters of HARDSIGMOID (alpha, beta) and CLAMP (lo, hi); ignored otherwise.
void imgvec_vmath(imgvec_vmath_function function, const float *x, float *y, long n, float a, float b);

/// imgvec_vmath with an explicit instruction set (for tests and benchmarks).
/// Returns 0, or -1 (and does nothing) when this CPU cannot run `kernel`.
int imgvec_vmath_with_kernel(imgvec_sgemm_kernel kernel, imgvec_vmath_function function,
                             const float *x, float *y, long n, float a, float b);

/// Row-wise softmax: for each of `rows` rows of `n` floats (row stride `ld` in x and y),
/// y = exp(a x - max(a x)) / sum, a > 0 (a scale fused from a preceding multiply).
/// In place (x == y) is fine. `logarithmic` != 0 gives log-softmax instead.
void imgvec_softmax_rows(const float *x, float *y, long rows, long n, long ld, float a, int logarithmic);

/// What a GEMM does to each finished tile of C, in this order:
/// C += bias[column]; C = activation(C); C += residual[row * ldr + column].
/// Rows and columns count from the origin of the C the call was given. The residual may be C
/// itself (residual == c, ldr == ldc: the product written over its skip connection); the
/// products below then read each residual value before they write C there.
typedef struct imgvec_sgemm_epilogue {
    const float *bias;                    ///< per column of C, or NULL
    imgvec_vmath_function activation;     ///< IMGVEC_VMATH_IDENTITY for none (EXP is not allowed)
    float activation_a, activation_b;     ///< its parameters (as imgvec_vmath's a, b)
    const float *residual;                ///< a matrix added last, or NULL
    long ldr;                             ///< residual row stride
    const float *row_bias;                ///< per row of C (a convolution's output channels), or NULL
    int residual_first;                   ///< nonzero: the residual is added before the activation
} imgvec_sgemm_epilogue;

/// Applies `epilogue` to rows [row0, row0+rows) x columns [col0, col0+cols) of C (c at C's origin).
void imgvec_sgemm_apply_epilogue(const imgvec_sgemm_epilogue *epilogue, float *c, long ldc,
                                 long row0, long rows, long col0, long cols);

/// Whether this CPU's kernel runs imgvec_sgemm_packed_rows_direct (AVX-512 today).
int imgvec_sgemm_direct_available(const imgvec_packed_a *packed);

/// A direct convolution as a product with rows `row_begin..<row_end` of a packed A (a
/// convolution's weights, Cout x K) whose B is read in place: for output line `l` (an output
/// row) and column `j < line_columns`, B[p][l, j] = b[l * b_line_stride + offsets[p] + j], where
/// offsets[p] (K entries) place each tap of the reduction in the (padded, phase-split) input.
/// C[i][l * line_columns + j] (C at the block's first row, rows `ldc` apart) = the product, then
/// `epilogue` (may be NULL; indexed like imgvec_sgemm_packed_rows's). 32 floats past every B
/// element a line uses must be readable. Returns -1 (nothing written) for a bad range or a
/// kernel without direct convolution.
int imgvec_sgemm_packed_rows_direct(const imgvec_packed_a *packed, long row_begin, long row_end,
                                    const long *offsets, const float *b, long lines, long line_columns,
                                    long b_line_stride, float *c, long ldc, const struct imgvec_sgemm_epilogue *epilogue);

/// A constant right operand op(B) (k x n, e.g. a MatMul weight) packed once into the kernel's panels.
typedef struct imgvec_packed_b imgvec_packed_b;

/// Packs op(B) (k x n; transB != 0: B is stored n x k). NULL on failure (no memory, k or n < 1).
imgvec_packed_b *imgvec_sgemm_pack_b(imgvec_sgemm_kernel kernel, int transB, long k, long n,
                                     const float *b, long ldb);

/// Frees a packed operand (NULL is fine).
void imgvec_sgemm_packed_b_free(imgvec_packed_b *packed);

/// Column splits of a packed B must start at multiples of this (the kernel's NR).
long imgvec_sgemm_packed_b_alignment(const imgvec_packed_b *packed);

/// Columns [column_begin, column_end) of C = alpha * op(A) * B (+ beta * C), then `epilogue`
/// (may be NULL) on each finished tile. `c` points at C's origin (column 0); op(A) is m x k.
/// column_begin must be a multiple of imgvec_sgemm_packed_b_alignment; thread-safe, so callers
/// split rows or columns across threads. Returns 0, or -1 (nothing done) on bad arguments.
int imgvec_sgemm_packed_b(int transA, long m, float alpha, const float *a, long lda,
                          const imgvec_packed_b *packed, long column_begin, long column_end,
                          float beta, float *c, long ldc, const imgvec_sgemm_epilogue *epilogue);

/// Columns [column_begin, column_end) of C = A * B for a packed B (k x n) and an A read in place:
/// A[r][p] = a[tile_starts[t] + offsets[p] + i] for row r, the i-th of tile t (tiles of
/// tile_rows[t] <= the kernel's MR rows, in order: tile t's rows follow tile t-1's). `c` points at
/// C's origin (row 0, column 0). A convolution with output channels across the vector lanes: a
/// padded, stride-phase-split input, offsets[p] the tap p's (channel, ky, kx) distance from the
/// first, each tile a run of output positions along one output row. Returns -1 (nothing done)
/// on bad arguments or a kernel without it (then use an unfolded copy).
int imgvec_sgemm_packed_b_gathered_a(const float *a, const long *offsets,
                                     const long *tile_starts, const int *tile_rows, long tiles,
                                     const imgvec_packed_b *packed, long column_begin, long column_end,
                                     float *c, long ldc);

/// Whether imgvec_sgemm_packed_b_gathered_a runs with this packed operand's kernel.
int imgvec_sgemm_packed_b_gathers_a(const imgvec_packed_b *packed);

/// Whether `kernel` (AUTO: the active one) has the gathered-A tile (AVX-512 today).
int imgvec_sgemm_kernel_gathers_a(imgvec_sgemm_kernel kernel);

/// The geometry of one depthwise convolution plane (one filter per channel), 2-D;
/// pads at the bottom and right are implied by the output size.
typedef struct imgvec_depthwise_shape {
    long input_height, input_width, output_height, output_width;
    long kernel_height, kernel_width, stride_height, stride_width;
    long dilation_height, dilation_width, pad_top, pad_left;
} imgvec_depthwise_shape;

/// Floats of 64-byte aligned scratch imgvec_depthwise_plane needs (0 for an invalid shape).
long imgvec_depthwise_scratch_floats(const imgvec_depthwise_shape *shape);

/// Planes first_plane ..< first_plane + plane_count of an NCHW tensor (plane p = image
/// p / channels, channel p % channels; `input` and `output` point at the tensors' starts):
/// output = conv(input, weights[channel]) + bias[channel], clamped to [lo, hi] when `clamp`
/// != 0 (Relu, Clip). `weights` holds kernel_height x kernel_width taps per channel; `bias`
/// may be NULL. `isa` picks the instruction set (the sgemm kernel ids; AUTO: the best this
/// CPU runs). Returns 0, or -1 (nothing written) when the CPU cannot run `isa` or the shape
/// is invalid. Thread-safe given separate scratch.
int imgvec_depthwise_planes(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *shape, long channels,
                            long first_plane, long plane_count, const float *input, const float *weights,
                            const float *bias, int clamp, float lo, float hi, float *output, float *scratch);

/// Activations the depthwise kernels fuse (imgvec_depthwise_activation.kind).
enum {
    IMGVEC_DEPTHWISE_NONE = 0,
    IMGVEC_DEPTHWISE_CLAMP = 1,         ///< min(max(x, a), b) (Relu: a = 0, b = inf; Clip)
    IMGVEC_DEPTHWISE_HARD_SWISH = 2,    ///< x * min(max(x / 6 + 1/2, 0), 1)
    IMGVEC_DEPTHWISE_HARD_SIGMOID = 3,  ///< min(max(a x + b, 0), 1)
    IMGVEC_DEPTHWISE_SIGMOID = 4,       ///< 1 / (1 + e^-x)
    IMGVEC_DEPTHWISE_SILU = 5,          ///< x / (1 + e^(-a x)) (SiLU: a = 1; QuickGELU: a = 1.702)
};

/// The activation applied to the depthwise output (after the bias), with its parameters.
typedef struct imgvec_depthwise_activation { int kind; float a, b; } imgvec_depthwise_activation;

/// Channels the channel-blocked depthwise kernel does together on `isa` (16 AVX-512,
/// 8 AVX2, 4 portable); AUTO: this CPU's best. Splits of its plane ranges should be multiples.
long imgvec_depthwise_block_channels(imgvec_sgemm_kernel isa);

/// Whether imgvec_depthwise_run takes the channel-blocked path for this shape on `isa`
/// (its plane ranges should then be multiples of imgvec_depthwise_block_channels).
int imgvec_depthwise_uses_blocks(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *shape);

/// Whether imgvec_depthwise_run takes the row path for this shape on `isa`: output rows
/// straight from the NCHW planes, no scratch (AVX-512; 3x3 kernels, stride 1 or 2, wide rows;
/// IMGVEC_DEPTHWISE_ROWS=0 in the environment turns it off).
int imgvec_depthwise_uses_rows(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *shape);

/// Whether imgvec_depthwise_run honours row ranges for this shape on `isa` (the blocked and
/// row paths; the per-plane one ignores them: callers split planes only).
int imgvec_depthwise_splits_rows(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *shape);

/// Floats of 64-byte aligned scratch imgvec_depthwise_run needs (either path; 0 if invalid).
long imgvec_depthwise_run_scratch_floats(const imgvec_depthwise_shape *shape);

/// Planes first_plane ..< first_plane + plane_count (as imgvec_depthwise_planes), output
/// rows row_begin ..< row_end of each (the blocked and row paths; the per-plane path does all
/// rows when row_begin == 0, nothing otherwise), then `activation` (NULL: none). The
/// blocked path gathers up to imgvec_depthwise_block_channels consecutive planes (channels, across images) at a
/// time into a channel-interleaved scratch. Returns 0, or -1 (nothing written) when the
/// CPU cannot run `isa`, the shape is invalid or the activation kind is unknown.
int imgvec_depthwise_run(imgvec_sgemm_kernel isa, const imgvec_depthwise_shape *shape, long channels,
                         long first_plane, long plane_count, long row_begin, long row_end,
                         const float *input, const float *weights, const float *bias,
                         const imgvec_depthwise_activation *activation, float *output, float *scratch);

/// A 3x3, stride-1, undilated convolution over NCHW planes as Winograd F(4x4, 3x3) tiles:
/// output tile (ty, tx) covers output rows 4ty..4ty+3 and columns 4tx..4tx+3 (clipped at the
/// edges); its 6x6 input patch starts at input row 4ty - pad_top, column 4tx - pad_left
/// (outside the input reads 0). Pads at the bottom and right are implied by the output size.
/// Tile rows are numbered across the batch: global row = image * tiles_y + ty.
typedef struct imgvec_winograd_shape {
    long channels;                       ///< input channels (the input transform's)
    long input_height, input_width, pad_top, pad_left;
    long output_height, output_width;
    long tiles_y, tiles_x;               ///< (output_height + 3) / 4, (output_width + 3) / 4
} imgvec_winograd_shape;

/// Floats of scratch imgvec_winograd_input needs (0 for an invalid shape).
long imgvec_winograd_input_scratch_floats(const imgvec_winograd_shape *shape);

/// Input transform of global tile rows first_row ..< first_row + row_count (all their tiles):
/// v[p * position_stride + c * ldv + t] = (B^T d B)[p / 6][p % 6] for channel c and block tile
/// t = (row - first_row) * tiles_x + tx. Writes past a row's last tile, up to the next multiple
/// of 16 tiles (into the next row's slot, rewritten later, or past the block:
/// ldv >= (row_count - 1) * tiles_x + tiles_x rounded up to a multiple of 16).
/// `input` is the NCHW tensor's start. Returns 0, or -1 (nothing written) for an invalid shape
/// or an `isa` this CPU cannot run.
int imgvec_winograd_input(imgvec_sgemm_kernel isa, const imgvec_winograd_shape *shape, const float *input,
                          long first_row, long row_count, float *v, long ldv, long position_stride,
                          float *scratch);

/// Output transform of the same block: m holds the 36 products (layout as v, out_channels
/// rows of ldm; reads as far past the block's last tile); writes
/// output = A^T m A + bias[c], clamped to [lo, hi] when `clamp` != 0, into the NCHW output
/// tensor (start `output`, out_channels channels). With `max_pool` != 0 it writes the 2x2
/// stride-2 max pool of that instead (unpadded, floor: planes of output_height / 2 x
/// output_width / 2). bias may be NULL. Returns 0 or -1.
int imgvec_winograd_output(imgvec_sgemm_kernel isa, const imgvec_winograd_shape *shape, long out_channels,
                           const float *m, long ldm, long position_stride, long first_row, long row_count,
                           const float *bias, int clamp, float lo, float hi, int max_pool, float *output);

/// Runs `iterations` rounds of 12 independent vector FMAs with the widest instruction set
/// this CPU has (AVX-512, AVX2+FMA, or portable C) and returns the floating-point operations
/// done (2 per lane per FMA). `checksum` (may be NULL) receives a value that depends on every
/// result, so the loop cannot be optimised away. Time it to get one thread's arithmetic peak.
long imgvec_fma_peak_loop(long iterations, double *checksum);

/// out[i] = the mean (maximum: 1, the largest value) of plane i, `planes` planes of `count`
/// floats each, stored one after another (plane_reduce.c). A NaN makes its plane's mean NaN;
/// for maxima NaN handling is the vector max instruction's (a NaN may be passed over).
void imgvec_plane_reduce(const float *x, long planes, long count, int maximum, float *out);

/// Max pooling of one plane with a 3x3 window at stride 2, no dilation, any padding (windows
/// past the input read -inf; max_pool.c). Returns 0, writing nothing, when this CPU has no
/// vector path for it (the caller then pools another way).
int imgvec_max_pool_3x3s2(const float *input, long input_height, long input_width, float *output,
                          long output_height, long output_width, long pad_top, long pad_left);

/// target[i] = source[i * stride] for i < count (strided_gather.c; stride 2 is vectorised).
/// Reads no element past source[(count - 1) * stride].
void imgvec_gather_strided(const float *source, long stride, long count, float *target);

/// Both column phases of one input row at stride 2, padded: phase b's column q is the input's
/// column x = 2q + b - pad_left, or 0 where x is outside [0, width). Writes `columns` floats to
/// each of phase0 and phase1 in one pass over the row (a stride-2 convolution's padded,
/// phase-split input; two strided gathers read the row twice).
void imgvec_split_phases_stride2(const float *row, long width, long pad_left, long columns,
                                 float *phase0, float *phase1);

/// target[j * targetStride + i] = source[i * sourceStride + j] for i < rows, j < columns
/// (transpose.c: 16x16 blocks that stay in L1, transposed in registers on AVX-512).
/// The two matrices must not overlap.
void imgvec_transpose(const float *source, long sourceStride, long rows, long columns,
                      float *target, long targetStride);

/// A pool of persistent threads for the engine's parallel loops (thread_pool.c).
/// Workers spin briefly for the next job, then park; they start on the first parallel job.
typedef struct imgvec_thread_pool imgvec_thread_pool;

/// One chunk of a parallel loop: the indices start ..< end.
typedef void (*imgvec_thread_pool_body)(void *context, long start, long end);

/// A pool for `thread_count` threads in all (the caller counts as one: thread_count - 1
/// workers are started lazily). NULL when out of memory. Spin budget: 1 ms, or
/// IMGVEC_POOL_SPIN_US from the environment.
imgvec_thread_pool *imgvec_thread_pool_create(long thread_count);

/// Stops and joins the workers, then frees the pool. Must not race with a run on it.
void imgvec_thread_pool_destroy(imgvec_thread_pool *pool);

/// Calls body(context, start, end) for worker = 0 ..< workers, workers = min(threads, count),
/// start = count * worker / workers, end = count * (worker + 1) / workers. The caller runs
/// chunk 0; each other chunk runs on whichever thread claims it first (a worker, or the
/// caller once its own chunk is done). Returns when every chunk has returned. Runs body(context, 0, count) on the
/// calling thread when the pool is NULL or has one thread, when called from inside a pool
/// body (of any pool), or when another thread is running a job on this pool.
void imgvec_thread_pool_run(imgvec_thread_pool *pool, long count, imgvec_thread_pool_body body, void *context);

/// 1 while the calling thread runs a pool body (any pool), else 0.
int imgvec_thread_pool_inside_body(void);

#ifdef __cplusplus
}
#endif
#endif
