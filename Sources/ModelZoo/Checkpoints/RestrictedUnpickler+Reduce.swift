extension RestrictedUnpickler {
    /// `REDUCE`/`NEWOBJ` of an allow-listed global: builds a value, calls nothing.
    func reduce(_ callable: PickleValue, _ arguments: PickleValue, at offset: Int) throws -> PickleValue {
        guard case let .global(global) = callable else {
            throw corrupt("REDUCE of a \(callable.kindName), not a global", at: offset)
        }
        guard case let .tuple(args) = arguments else {
            throw corrupt("REDUCE arguments are a \(arguments.kindName), not a tuple", at: offset)
        }
        switch global {
        case .orderedDict:
            let dict = PickleDict()
            if let pairs = args.first?.asSequence {
                for pair in pairs {
                    guard let items = pair.asSequence, items.count == 2 else {
                        throw corrupt("OrderedDict item is not a pair", at: offset)
                    }
                    dict.set(items[0], items[1])
                }
            }
            return .dict(dict)
        case .rebuildTensorV2, .rebuildTensor:
            return .tensor(try tensorRecipe(args, at: offset))
        case .storageType, .dtype:
            throw unsupported("REDUCE of \(global)", at: offset)
        }
    }

    /// `(storage, storage_offset, size, stride, ...)` with sizes and strides checked.
    private func tensorRecipe(_ args: [PickleValue], at offset: Int) throws -> TensorRecipe {
        guard args.count >= 4 else { throw corrupt("_rebuild_tensor with \(args.count) arguments", at: offset) }
        guard case let .storage(storage) = args[0] else {
            throw corrupt("_rebuild_tensor of a \(args[0].kindName), not a storage", at: offset)
        }
        guard let storageOffset = args[1].asInt, storageOffset >= 0 else {
            throw corrupt("bad storage offset (\(args[1].kindName))", at: offset)
        }
        func integers(_ value: PickleValue, _ what: String) throws -> [Int] {
            guard let items = value.asSequence, items.count <= 32 else {
                throw corrupt("tensor \(what) is not a tuple of at most 32 ints", at: offset)
            }
            return try items.map {
                guard let int = $0.asInt, int >= 0 else { throw corrupt("negative or non-integer tensor \(what)", at: offset) }
                return int
            }
        }
        let size = try integers(args[2], "size")
        let stride = try integers(args[3], "stride")
        guard size.count == stride.count else {
            throw corrupt("tensor size \(size) and stride \(stride) differ in rank", at: offset)
        }
        return TensorRecipe(storage: storage, storageOffset: storageOffset, size: size, stride: stride)
    }
}
