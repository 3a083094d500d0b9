import Foundation

extension RestrictedUnpickler {
    typealias Op = PickleOpcode

    /// Executes one opcode (everything but STOP).
    mutating func execute(_ opcode: UInt8, at offset: Int, cursor: inout ByteCursor) throws {
        switch opcode {
        case Op.proto:
            let version = try cursor.u8("protocol version")
            guard version <= 5 else { throw unsupported("pickle protocol \(version)", at: offset) }
        case Op.frame: _ = try cursor.u64("frame length")
        case Op.mark: try pushMark(at: offset)
        case Op.pop: _ = try pop(at: offset)
        case Op.popMark: _ = try popToMark(at: offset)
        case Op.dup: push(try top(at: offset))

        case Op.none: push(.none)
        case Op.newTrue: push(.bool(true))
        case Op.newFalse: push(.bool(false))
        case Op.binInt: push(.int(Int64(try cursor.i32())))
        case Op.binInt1: push(.int(Int64(try cursor.u8())))
        case Op.binInt2: push(.int(Int64(try cursor.u16())))
        case Op.long1: push(try readLong(byteCount: Int(try cursor.u8()), cursor: &cursor, at: offset))
        case Op.long4:
            let count = Int(try cursor.i32())
            guard count >= 0 else { throw corrupt("negative LONG4 length", at: offset) }
            push(try readLong(byteCount: count, cursor: &cursor, at: offset))
        case Op.binFloat:
            // The only big-endian field in pickle.
            let bits = try cursor.u64("BINFLOAT")
            push(.float(Double(bitPattern: bits.byteSwapped)))

        case Op.binUnicode: push(.string(try readString(Int(try cursor.u32()), cursor: &cursor, at: offset)))
        case Op.shortBinUnicode: push(.string(try readString(Int(try cursor.u8()), cursor: &cursor, at: offset)))
        case Op.binUnicode8: push(.string(try readString(try length64(&cursor, at: offset), cursor: &cursor, at: offset)))
        case Op.binString:
            let count = Int(try cursor.i32())
            push(.string(try readString(count, cursor: &cursor, at: offset, latin1: true)))
        case Op.shortBinString: push(.string(try readString(Int(try cursor.u8()), cursor: &cursor, at: offset, latin1: true)))
        case Op.binBytes: push(.bytes(try readBytes(Int(try cursor.u32()), cursor: &cursor, at: offset)))
        case Op.shortBinBytes: push(.bytes(try readBytes(Int(try cursor.u8()), cursor: &cursor, at: offset)))
        case Op.binBytes8, Op.byteArray8:
            push(.bytes(try readBytes(try length64(&cursor, at: offset), cursor: &cursor, at: offset)))

        case Op.emptyTuple: push(.tuple([]))
        case Op.tuple: push(.tuple(try popToMark(at: offset)))
        case Op.tuple1, Op.tuple2, Op.tuple3:
            let count = Int(opcode - Op.tuple1) + 1
            var items: [PickleValue] = []
            for _ in 0..<count { items.append(try pop(at: offset)) }
            push(.tuple(items.reversed()))
        case Op.emptyList, Op.emptySet: push(.list(PickleList()))
        case Op.list, Op.frozenSet: push(.list(PickleList(try popToMark(at: offset))))
        case Op.append:
            let item = try pop(at: offset)
            try appendItems([item], at: offset)
        case Op.appends, Op.addItems: try appendItems(try popToMark(at: offset), at: offset)
        case Op.emptyDict: push(.dict(PickleDict()))
        case Op.dict:
            let dict = PickleDict()
            try setItems(try popToMark(at: offset), in: dict, at: offset)
            push(.dict(dict))
        case Op.setItem:
            let value = try pop(at: offset)
            let key = try pop(at: offset)
            try setItems([key, value], in: try topDict(at: offset), at: offset)
        case Op.setItems:
            let items = try popToMark(at: offset)
            try setItems(items, in: try topDict(at: offset), at: offset)

        case Op.global:
            let module = try readLine(&cursor, "GLOBAL module", at: offset)
            let name = try readLine(&cursor, "GLOBAL name", at: offset)
            push(.global(try resolveGlobal(module: module, name: name)))
        case Op.stackGlobal:
            let name = try pop(at: offset)
            let module = try pop(at: offset)
            guard let moduleName = module.asString, let globalName = name.asString else {
                throw corrupt("STACK_GLOBAL needs two strings, found \(module.kindName) and \(name.kindName)", at: offset)
            }
            push(.global(try resolveGlobal(module: moduleName, name: globalName)))
        case Op.inst:
            let module = try readLine(&cursor, "INST module", at: offset)
            let name = try readLine(&cursor, "INST name", at: offset)
            _ = try resolveGlobal(module: module, name: name)
            throw unsupported("INST opcode (\(module).\(name))", at: offset)
        case Op.reduce:
            let arguments = try pop(at: offset)
            let callable = try pop(at: offset)
            push(try reduce(callable, arguments, at: offset))
        case Op.newObj:
            let arguments = try pop(at: offset)
            let type = try pop(at: offset)
            push(try reduce(type, arguments, at: offset))
        case Op.build:
            // BUILD sets attributes (e.g. OrderedDict._metadata); plain data needs none of them.
            _ = try pop(at: offset)
            _ = try top(at: offset)
        case Op.binPersId:
            let id = try pop(at: offset)
            push(try persistentLoad(id))

        case Op.binGet: try recall(UInt32(try cursor.u8()), at: offset)
        case Op.longBinGet: try recall(try cursor.u32(), at: offset)
        case Op.get: try recall(try readDecimalKey(&cursor, at: offset), at: offset)
        case Op.binPut: try memoize(UInt32(try cursor.u8()), at: offset)
        case Op.longBinPut: try memoize(try cursor.u32(), at: offset)
        case Op.put: try memoize(try readDecimalKey(&cursor, at: offset), at: offset)
        case Op.memoize: try memoize(UInt32(truncatingIfNeeded: memo.count), at: offset)

        default:
            throw unsupported(String(format: "pickle opcode 0x%02X", opcode), at: offset)
        }
    }

    // MARK: Operands

    private func length64(_ cursor: inout ByteCursor, at offset: Int) throws -> Int {
        let length = try cursor.u64("length")
        guard length <= UInt64(cursor.remaining) else { throw cursor.truncated("\(length)-byte value") }
        return Int(length)
    }

    private func readBytes(_ count: Int, cursor: inout ByteCursor, at offset: Int) throws -> [UInt8] {
        guard count >= 0 else { throw corrupt("negative length", at: offset) }
        return [UInt8](try cursor.slice(count, "\(count)-byte value"))
    }

    private func readString(_ count: Int, cursor: inout ByteCursor, at offset: Int, latin1: Bool = false) throws -> String {
        guard count >= 0 else { throw corrupt("negative string length", at: offset) }
        let raw = try cursor.slice(count, "\(count)-byte string")
        if latin1 { return String(raw.map { Character(Unicode.Scalar($0)) }) }
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw corrupt("string is not valid UTF-8", at: offset)
        }
        return text
    }

    private func readLine(_ cursor: inout ByteCursor, _ what: String, at offset: Int) throws -> String {
        let raw = try cursor.line(what, maxLength: 1024)
        guard let text = String(validating: raw, as: UTF8.self) else { throw corrupt("\(what) is not UTF-8", at: offset) }
        return text
    }

    private func readDecimalKey(_ cursor: inout ByteCursor, at offset: Int) throws -> UInt32 {
        let text = try readLine(&cursor, "memo key", at: offset)
        guard let key = UInt32(text) else { throw corrupt("bad memo key '\(text)'", at: offset) }
        return key
    }

    /// A LONG1/LONG4 integer: little-endian two's complement.
    private func readLong(byteCount: Int, cursor: inout ByteCursor, at offset: Int) throws -> PickleValue {
        let raw = [UInt8](try cursor.slice(byteCount, "\(byteCount)-byte integer"))
        guard raw.count <= 8 else { return .bigInt(raw) }
        guard let last = raw.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0
        for (i, byte) in raw.enumerated() {
            value &= ~(0xFF << (8 * UInt64(i)))
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return .int(Int64(bitPattern: value))
    }

    // MARK: Containers

    private mutating func topDict(at offset: Int) throws -> PickleDict {
        let value = try top(at: offset)
        guard case let .dict(dict) = value else { throw corrupt("SETITEM(S) on a \(value.kindName)", at: offset) }
        return dict
    }

    private func setItems(_ items: [PickleValue], in dict: PickleDict, at offset: Int) throws {
        guard items.count % 2 == 0 else { throw corrupt("odd number of items for a dict", at: offset) }
        guard dict.entries.count + items.count / 2 <= limits.maxContainerItems else {
            throw corrupt("dict larger than \(limits.maxContainerItems) items", at: offset)
        }
        try refuseCycles(items, into: ObjectIdentifier(dict), at: offset)
        for index in stride(from: 0, to: items.count, by: 2) { dict.set(items[index], items[index + 1]) }
    }

    private mutating func appendItems(_ items: [PickleValue], at offset: Int) throws {
        let target = try top(at: offset)
        guard case let .list(list) = target else { throw corrupt("APPEND(S) on a \(target.kindName)", at: offset) }
        guard list.items.count + items.count <= limits.maxContainerItems else {
            throw corrupt("list larger than \(limits.maxContainerItems) items", at: offset)
        }
        try refuseCycles(items, into: ObjectIdentifier(list), at: offset)
        list.items.append(contentsOf: items)
    }

    /// Refuses to put a container inside itself (directly or through others): state dicts
    /// never do that, and a cycle of reference boxes would never be freed.
    private func refuseCycles(_ items: [PickleValue], into target: ObjectIdentifier, at offset: Int) throws {
        var visited = Set<ObjectIdentifier>()
        var pending = items
        var budget = 1 << 20
        while let value = pending.popLast() {
            budget -= 1
            guard budget > 0 else { throw corrupt("container graph too large to check", at: offset) }
            switch value {
            case let .list(list):
                let id = ObjectIdentifier(list)
                if id == target { throw corrupt("a container that contains itself", at: offset) }
                if visited.insert(id).inserted { pending += list.items }
            case let .dict(dict):
                let id = ObjectIdentifier(dict)
                if id == target { throw corrupt("a container that contains itself", at: offset) }
                if visited.insert(id).inserted { for entry in dict.entries { pending += [entry.key, entry.value] } }
            case let .tuple(members):
                pending += members
            default:
                continue
            }
        }
    }
}
