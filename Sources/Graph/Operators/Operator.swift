import Kernels
import Tensor

/// What an operator factory sees when it builds an operator from a node.
public struct OperatorContext {
    /// The node being built (attributes, names).
    public let node: Node
    /// The default-domain opset of the model.
    public let opsetVersion: Int
    /// The value of each input when it is a constant known at load (weights), else `nil`.
    /// Factories use this to re-lay weights once, at load.
    public let constantInputs: [Tensor?]

    public init(node: Node, opsetVersion: Int, constantInputs: [Tensor?]) {
        self.node = node
        self.opsetVersion = opsetVersion
        self.constantInputs = constantInputs
    }

    /// Constant input `index`, if present and known.
    public func constant(_ index: Int) -> Tensor? {
        index < constantInputs.count ? constantInputs[index] : nil
    }
}

/// Per-run services given to operators: the thread pool and reusable scratch memory.
public final class ExecutionContext: @unchecked Sendable {
    /// The engine's only pool of threads.
    public let threadPool: ThreadPool
    private var scratchBuffers: [TensorStorage?]

    /// A single-threaded context for steps too small to be worth waking the pool
    /// (nil when this context is single-threaded already).
    public let serial: ExecutionContext?

    public init(threadPool: ThreadPool) {
        self.threadPool = threadPool
        self.scratchBuffers = Array(repeating: nil, count: threadPool.threadCount + 1)
        self.serial = threadPool.threadCount > 1 ? ExecutionContext(threadPool: ThreadPool(threadCount: 1)) : nil
    }

    /// A scratch buffer of at least `byteCount` bytes for slot `slot`
    /// (`0..<threadPool.threadCount + 1`; one slot per concurrent user).
    /// Buffers grow to their largest request and are then reused, so steady-state
    /// runs allocate nothing. Contents are undefined. Call `reserveScratch` on the
    /// calling thread before a parallel loop so that workers never allocate.
    public func scratch(byteCount: Int, slot: Int = 0) -> UnsafeMutableRawPointer {
        if let buffer = scratchBuffers[slot], buffer.byteCount >= byteCount { return buffer.baseAddress }
        let buffer = TensorStorage(byteCount: byteCount)
        scratchBuffers[slot] = buffer
        return buffer.baseAddress
    }

    /// Makes sure every slot holds at least `byteCount` bytes.
    public func reserveScratch(byteCount: Int) {
        for slot in scratchBuffers.indices { _ = scratch(byteCount: byteCount, slot: slot) }
    }

    /// Bytes currently held as scratch.
    public var scratchByteCount: Int { scratchBuffers.reduce(0) { $0 + ($1?.byteCount ?? 0) } }
}

/// An executable operation built from a ``Node``.
///
/// Operators are built once, at load, by a factory in the ``OperatorRegistry``;
/// that is where they parse attributes and re-lay constant weights. Planning a
/// run calls ``inferTypes(_:constants:)`` with concrete shapes; running calls
/// ``execute(_:_:_:)`` with outputs the memory planner already allocated.
public protocol Operator: AnyObject {
    /// Output types from input types. `constants[i]` is input `i`'s value when it
    /// is known while planning (weights, folded shape computations), else `nil`.
    /// Shape-valued inputs (Reshape's shape, Slice's starts...) must be constant.
    func inferTypes(_ inputs: [TensorType?], constants: [Tensor?]) throws -> [TensorType]

    /// Computes outputs from inputs. `inputs[i]` is `nil` for an omitted optional
    /// input. `outputs` are preallocated with the inferred types and must be fully
    /// written (their contents are undefined on entry).
    func execute(_ inputs: [Tensor?], _ outputs: [Tensor], _ context: ExecutionContext) throws

    /// When output 0 is input `n` reinterpreted (Reshape, Flatten, Squeeze,
    /// Unsqueeze, Identity), returns `n`: the planner then shares the storage and
    /// never calls `execute`. Default `nil`.
    var aliasedInput: Int? { get }

    /// When, for these types, every output is a contiguous piece of input 0 (Split along an
    /// axis with only size-1 axes before it), the byte offset of each output within input 0:
    /// the planner then places the outputs inside the input's buffer and never calls
    /// `execute`. Default `nil` (outputs get buffers of their own).
    func outputViewOffsets(_ inputs: [TensorType?], outputs: [TensorType]) -> [Int]?

    /// An input whose buffer output 0 may take over, for these types, when no later step reads
    /// that input: the operator reads each of its elements before it writes the output element
    /// at the same offset, and reads none after (a skip connection added in a GEMM's store).
    /// The planner then gives both one buffer (see ``ExecutionPlan``). Default `nil`.
    func inPlaceInput(_ inputs: [TensorType?], outputs: [TensorType]) -> Int?

    /// Multiply-adds for one run with these input types (for `inspect` and the
    /// benchmark's GFLOP/s). Default 0.
    func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int

    /// Inputs this operator keeps a packed copy of (constant weights re-laid at load or on
    /// first use), so that its runs never read their original bytes. The session releases
    /// such originals (see ``TensorStorage/releaseResidentMemory()``). Default none.
    var packedInputs: [Int] { get }
}

extension Operator {
    public var aliasedInput: Int? { nil }
    public func outputViewOffsets(_ inputs: [TensorType?], outputs: [TensorType]) -> [Int]? { nil }
    public func inPlaceInput(_ inputs: [TensorType?], outputs: [TensorType]) -> Int? { nil }
    public var packedInputs: [Int] { [] }
    public func multiplyAdds(_ inputs: [TensorType?], outputs: [TensorType]) -> Int { 0 }
}
