import Tensor

/// A value rebuilt by ``RestrictedUnpickler``: plain data only, never a live object.
///
/// Lists and dicts are reference boxes because pickles mutate a container after
/// memoizing it (`EMPTY_DICT`, `BINPUT`, ..., `SETITEMS`).
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer too wide for Int64: its little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// An allow-listed global (a class or function reference, never called).
    case global(PickleGlobal)
    /// A storage named by a persistent id.
    case storage(StorageReference)
    /// A `torch._utils._rebuild_tensor(_v2)` call, recorded as data.
    case tensor(TensorRecipe)

    /// A short name of the kind of value, for error messages.
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case let .global(global): return "global \(global)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }

    var asInt: Int? {
        if case let .int(value) = self, let result = Int(exactly: value) { return result }
        if case let .bool(value) = self { return value ? 1 : 0 }
        return nil
    }

    var asString: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The items of a tuple or list.
    var asSequence: [PickleValue]? {
        switch self {
        case let .tuple(items): return items
        case let .list(list): return list.items
        default: return nil
        }
    }
}

/// A mutable list shared between the stack and the memo.
final class PickleList {
    var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A mutable, insertion-ordered dict shared between the stack and the memo.
/// String keys replace earlier entries like Python's dict; other keys are kept in order.
final class PickleDict {
    private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var stringIndex: [String: Int] = [:]

    func set(_ key: PickleValue, _ value: PickleValue) {
        if case let .string(name) = key {
            if let index = stringIndex[name] {
                entries[index].value = value
                return
            }
            stringIndex[name] = entries.count
        }
        entries.append((key, value))
    }

    subscript(name: String) -> PickleValue? {
        stringIndex[name].map { entries[$0].value }
    }
}

/// A storage referenced by a persistent id `('storage', torch.<Type>Storage, key, location, numel)`.
struct StorageReference {
    let dataType: DataType
    let key: String
    let elementCount: Int
}

/// The arguments of a `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)` call.
struct TensorRecipe {
    let storage: StorageReference
    /// In elements of the storage's type.
    let storageOffset: Int
    let size: [Int]
    /// In elements.
    let stride: [Int]
}
