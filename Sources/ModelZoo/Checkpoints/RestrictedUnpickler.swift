import Foundation

/// A pickle reader (protocols 2-5) that only rebuilds plain data.
///
/// It never calls code: globals are checked against ``PickleGlobal`` when the
/// `GLOBAL`/`STACK_GLOBAL` opcode is read (anything else, such as `os.system`, throws
/// ``CheckpointError/forbiddenGlobal(path:global:)`` on the spot), and `REDUCE` of an
/// allowed global only records its arguments (``TensorRecipe``) or builds an empty dict.
/// Stack, memo, mark depth and string lengths are bounded.
struct RestrictedUnpickler {
    /// Resource bounds of one unpickling.
    struct Limits {
        var maxStackDepth = 1 << 20
        var maxMemoEntries = 1 << 20
        var maxMarkDepth = 1 << 12
        var maxContainerItems = 1 << 24
    }

    let path: String
    /// Names the pickle in errors (e.g. `archive/data.pkl`).
    let context: String
    var limits = Limits()
    /// Turns a persistent id (`BINPERSID`) into a value, e.g. a ``StorageReference``.
    var persistentLoad: (PickleValue) throws -> PickleValue

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private(set) var memo: [UInt32: PickleValue] = [:]

    init(path: String, context: String, persistentLoad: @escaping (PickleValue) throws -> PickleValue) {
        self.path = path
        self.context = context
        self.persistentLoad = persistentLoad
    }

    func corrupt(_ reason: String, at offset: Int) -> CheckpointError {
        .corrupt(path: path, reason: "\(context) at byte \(offset): \(reason)")
    }

    func unsupported(_ reason: String, at offset: Int) -> CheckpointError {
        .unsupported(path: path, reason: "\(context) at byte \(offset): \(reason)")
    }

    /// Reads one pickle from `cursor` (which is left just after its STOP) and returns its value.
    mutating func load(from cursor: inout ByteCursor) throws -> PickleValue {
        stack = []
        marks = []
        memo = [:]
        while true {
            let offset = cursor.position
            let opcode = try cursor.u8("\(context) opcode")
            if opcode == PickleOpcode.stop {
                guard marks.isEmpty, stack.count == 1 else {
                    throw corrupt("STOP with \(stack.count) values on the stack and \(marks.count) open marks", at: offset)
                }
                return stack[0]
            }
            try execute(opcode, at: offset, cursor: &cursor)
            if stack.count > limits.maxStackDepth {
                throw corrupt("stack deeper than \(limits.maxStackDepth)", at: offset)
            }
        }
    }

    // MARK: Stack helpers

    mutating func push(_ value: PickleValue) { stack.append(value) }

    mutating func pop(at offset: Int) throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw corrupt("pop from an empty stack", at: offset)
        }
        return value
    }

    mutating func top(at offset: Int) throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw corrupt("empty stack", at: offset)
        }
        return value
    }

    mutating func pushMark(at offset: Int) throws {
        guard marks.count < limits.maxMarkDepth else { throw corrupt("more than \(limits.maxMarkDepth) open marks", at: offset) }
        marks.append(stack.count)
    }

    /// Pops everything above the last mark, and the mark.
    mutating func popToMark(at offset: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw corrupt("no MARK on the stack", at: offset) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    mutating func memoize(_ key: UInt32, at offset: Int) throws {
        let value = try top(at: offset)
        guard memo.count < limits.maxMemoEntries || memo[key] != nil else {
            throw corrupt("memo larger than \(limits.maxMemoEntries) entries", at: offset)
        }
        memo[key] = value
    }

    mutating func recall(_ key: UInt32, at offset: Int) throws {
        guard let value = memo[key] else { throw corrupt("memo key \(key) was never stored", at: offset) }
        push(value)
    }

    /// Checks a global against the allow-list; throws for anything else.
    func resolveGlobal(module: String, name: String) throws -> PickleGlobal {
        guard let global = PickleGlobal(module: module, name: name) else {
            throw CheckpointError.forbiddenGlobal(path: path, global: "\(module).\(name)")
        }
        return global
    }
}
