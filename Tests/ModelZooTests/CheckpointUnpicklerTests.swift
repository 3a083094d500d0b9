import Foundation
import Tensor
import Testing
import TestSupport
@testable import ModelZoo

@Suite("Restricted unpickler")
struct CheckpointUnpicklerTests {
    static func unpickle(_ bytes: [UInt8], limits: RestrictedUnpickler.Limits = .init()) throws -> PickleValue {
        try bytes.withUnsafeBytes { raw in
            var cursor = ByteCursor(raw, path: "test.pkl")
            var unpickler = RestrictedUnpickler(path: "test.pkl", context: "test") { _ in
                throw CheckpointError.corrupt(path: "test.pkl", reason: "no persistent ids here")
            }
            unpickler.limits = limits
            return try unpickler.load(from: &cursor)
        }
    }

    static func text(_ string: String) -> [UInt8] { Array(string.utf8) }
    static func shortUnicode(_ string: String) -> [UInt8] { [0x8C, UInt8(string.utf8.count)] + text(string) }

    @Test("a container that contains itself is refused (it could never be freed); found by FuzzCheckpointReader")
    func selfReferencesAreRefused() {
        // EMPTY_LIST, DUP, APPEND: the list appended to itself.
        #expect(throws: CheckpointError.self) { try Self.unpickle([0x80, 0x02, 0x5D, 0x32, 0x61, 0x2E]) }
        // EMPTY_DICT, BINPUT 0, key, EMPTY_LIST, BINGET 0, APPEND, SETITEM: d['k'] = [d].
        let indirect: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x00] + Self.shortUnicode("k") + [0x5D, 0x68, 0x00, 0x61, 0x73, 0x2E]
        #expect(throws: CheckpointError.self) { try Self.unpickle(indirect) }
        // A list shared twice (not a cycle) is fine.
        let shared: [UInt8] = [0x80, 0x02, 0x5D, 0x5D, 0x71, 0x00, 0x61, 0x68, 0x00, 0x61, 0x2E]
        #expect((try? Self.unpickle(shared)) != nil)
    }

    @Test("GLOBAL os.system, STACK_GLOBAL builtins.eval and subprocess.Popen are refused when read")
    func forbiddenGlobals() {
        let osSystem = [0x80, 0x02, 0x63] + Self.text("os\nsystem\n") + [0x58, 4, 0, 0, 0] + Self.text("echo") + [0x85, 0x52, 0x2E]
        #expect(throws: CheckpointError.forbiddenGlobal(path: "test.pkl", global: "os.system")) { try Self.unpickle(osSystem) }
        // Garbage after the global: the refusal comes first, from the GLOBAL itself.
        let evalPickle = [0x80, 0x04] + Self.shortUnicode("builtins") + [0x94] + Self.shortUnicode("eval") + [0x94, 0x93, 0xFF, 0xFF]
        #expect(throws: CheckpointError.forbiddenGlobal(path: "test.pkl", global: "builtins.eval")) { try Self.unpickle(evalPickle) }
        let popen = [0x80, 0x02, 0x28, 0x4B, 1, 0x63] + Self.text("subprocess\nPopen\n") + [0x74, 0x2E]
        #expect(throws: CheckpointError.forbiddenGlobal(path: "test.pkl", global: "subprocess.Popen")) { try Self.unpickle(popen) }
        let torchLoad = [0x80, 0x02, 0x63] + Self.text("torch\nload\n") + [0x2E]
        #expect(throws: CheckpointError.forbiddenGlobal(path: "test.pkl", global: "torch.load")) { try Self.unpickle(torchLoad) }
    }

    @Test("protocol 4 opcodes: FRAME, STACK_GLOBAL OrderedDict, MEMOIZE, BINFLOAT, LONG1, lists")
    func protocolFour() throws {
        var bytes: [UInt8] = [0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 0]
        bytes += Self.shortUnicode("collections") + Self.shortUnicode("OrderedDict") + [0x93, 0x94, 0x29, 0x52, 0x94]
        bytes += [0x28] + Self.shortUnicode("pi") + [0x47, 0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18]
        bytes += Self.shortUnicode("neg") + [0x8A, 2, 0x00, 0xFF]                       // LONG1 -256
        bytes += Self.shortUnicode("list") + [0x5D, 0x94, 0x28, 0x88, 0x4E, 0x4D, 0x34, 0x12, 0x65]
        bytes += Self.shortUnicode("again") + [0x68, 2, 0x75, 0x2E]  // BINGET 2 = the list (memo 0 = global, 1 = dict)
        guard case let .dict(dict) = try Self.unpickle(bytes) else { Issue.record("not a dict"); return }
        #expect(dict.entries.count == 4)
        guard case let .float(pi)? = dict["pi"] else { Issue.record("pi"); return }
        #expect(pi == Double.pi)
        guard case let .int(negative)? = dict["neg"] else { Issue.record("neg"); return }
        #expect(negative == -256)
        guard case let .list(list)? = dict["list"], case let .list(again)? = dict["again"] else { Issue.record("list"); return }
        #expect(list === again)
        #expect(list.items.count == 3)
        guard case .int(0x1234) = list.items[2] else { Issue.record("BININT2"); return }
    }

    @Test("corrupt pickles throw: huge lengths, unknown memo keys, bad REDUCE, limits, unknown opcodes")
    func corruptPickles() {
        let cases: [(String, [UInt8])] = [
            ("string longer than the data", [0x80, 0x02, 0x58, 0xF0, 0xFF, 0xFF, 0xFF, 0x41, 0x2E]),
            ("bytes8 longer than the data", [0x80, 0x04, 0x8E, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x41, 0x2E]),
            ("unknown memo key", [0x80, 0x02, 0x6A, 9, 0, 0, 0, 0x2E]),
            ("REDUCE of a string", [0x80, 0x02] + Self.shortUnicode("x") + [0x29, 0x52, 0x2E]),
            ("pop from empty stack", [0x80, 0x02, 0x30, 0x2E]),
            ("SETITEMS without mark", [0x80, 0x02, 0x7D, 0x75, 0x2E]),
            ("STOP with two values", [0x80, 0x02, 0x4E, 0x4E, 0x2E]),
            ("no STOP", [0x80, 0x02, 0x4E]),
            ("unknown opcode", [0x80, 0x02, 0xFE, 0x2E]),
            ("protocol 9", [0x80, 0x09, 0x4E, 0x2E]),
            ("EXT1", [0x80, 0x02, 0x82, 1, 0x2E]),
            ("invalid UTF-8", [0x80, 0x02, 0x8C, 2, 0xC3, 0x28, 0x2E]),
        ]
        for (what, bytes) in cases {
            #expect(throws: CheckpointError.self, "\(what)") { try Self.unpickle(bytes) }
        }
        var limits = RestrictedUnpickler.Limits()
        limits.maxStackDepth = 8
        limits.maxMarkDepth = 4
        #expect(throws: CheckpointError.self) { try Self.unpickle([0x80, 0x02] + [UInt8](repeating: 0x4E, count: 20) + [0x2E], limits: limits) }
        #expect(throws: CheckpointError.self) { try Self.unpickle([0x80, 0x02] + [UInt8](repeating: 0x28, count: 6) + [0x2E], limits: limits) }
    }

    @Test("random bytes after a PROTO never crash")
    func randomBytes() {
        var random = SeededGenerator(seed: 42)
        let alphabet: [UInt8] = [0x28, 0x29, 0x2E, 0x30, 0x32, 0x4B, 0x4D, 0x4E, 0x52, 0x58, 0x5D, 0x61, 0x62, 0x65,
                                 0x68, 0x71, 0x73, 0x74, 0x75, 0x7D, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x94]
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<48, using: &random)
            let body = (0..<count).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            _ = try? Self.unpickle([0x80, 0x02] + body)
        }
    }

    @Test("a state dict nested under 'state_dict' is unwrapped; persistent ids become storages")
    func nestedStateDict() throws {
        let global: (String) -> [UInt8] = { [0x63] + Self.text($0) }
        let binUnicode: (String) -> [UInt8] = { [0x58, UInt8($0.utf8.count), 0, 0, 0] + Self.text($0) }
        var bytes: [UInt8] = [0x80, 0x02, 0x7D, 0x28] + binUnicode("epoch") + [0x4B, 3] + binUnicode("state_dict")
        bytes += global("collections\nOrderedDict\n") + [0x29, 0x52, 0x28] + binUnicode("module.w")
        bytes += global("torch._utils\n_rebuild_tensor_v2\n") + [0x28, 0x28] + binUnicode("storage")
        bytes += global("torch\nFloatStorage\n") + binUnicode("0") + binUnicode("cpu") + [0x4B, 4, 0x74, 0x51]
        bytes += [0x4B, 1, 0x4B, 3, 0x85, 0x4B, 1, 0x85, 0x89] + global("collections\nOrderedDict\n") + [0x29, 0x52, 0x74, 0x52]
        bytes += [0x75, 0x75, 0x2E]
        let storages = StorageTable()
        let root = try bytes.withUnsafeBytes { raw in
            var cursor = ByteCursor(raw, path: "nested.pth")
            var unpickler = RestrictedUnpickler(path: "nested.pth", context: "data.pkl",
                                                persistentLoad: TorchStateDict.storageResolver(path: "nested.pth", storages: storages))
            return try unpickler.load(from: &cursor)
        }
        let entries = try TorchStateDict.entries(in: root, path: "nested.pth")
        #expect(entries.map(\.name) == ["module.w"])
        let recipe = try #require(entries.first?.recipe)
        #expect(recipe.storage.key == "0" && recipe.storage.dataType == .float32 && recipe.storage.elementCount == 4)
        #expect(recipe.storageOffset == 1 && recipe.size == [3] && recipe.stride == [1])
        let storage: [Float] = [9, 1, 2, 3]
        let tensor = try storage.withUnsafeBytes { raw in
            try TensorMaterializer.tensor(recipe, storageBytes: raw, owner: storages, name: "module.w", path: "nested.pth")
        }
        let checkpoint = Checkpoint(url: URL(fileURLWithPath: "nested.pth"), format: .torchZip,
                                    entries: [("module.w", tensor.copy(), .float32)]).removingPrefix("module.")
        #expect(checkpoint.names == ["w"])
        #expect(try checkpoint.floats("w") == [1, 2, 3])
    }
}
