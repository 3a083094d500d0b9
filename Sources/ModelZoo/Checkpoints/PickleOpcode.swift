/// Pickle opcode bytes (protocols 0-5) that ``RestrictedUnpickler`` knows about.
enum PickleOpcode {
    static let proto: UInt8 = 0x80, frame: UInt8 = 0x95, stop: UInt8 = 0x2E
    static let mark: UInt8 = 0x28, pop: UInt8 = 0x30, popMark: UInt8 = 0x31, dup: UInt8 = 0x32
    static let none: UInt8 = 0x4E, newTrue: UInt8 = 0x88, newFalse: UInt8 = 0x89
    static let binInt: UInt8 = 0x4A, binInt1: UInt8 = 0x4B, binInt2: UInt8 = 0x4D
    static let long1: UInt8 = 0x8A, long4: UInt8 = 0x8B, binFloat: UInt8 = 0x47
    static let binUnicode: UInt8 = 0x58, shortBinUnicode: UInt8 = 0x8C, binUnicode8: UInt8 = 0x8D
    static let binString: UInt8 = 0x54, shortBinString: UInt8 = 0x55
    static let binBytes: UInt8 = 0x42, shortBinBytes: UInt8 = 0x43, binBytes8: UInt8 = 0x8E, byteArray8: UInt8 = 0x96
    static let emptyTuple: UInt8 = 0x29, tuple: UInt8 = 0x74, tuple1: UInt8 = 0x85, tuple2: UInt8 = 0x86, tuple3: UInt8 = 0x87
    static let emptyList: UInt8 = 0x5D, append: UInt8 = 0x61, appends: UInt8 = 0x65, list: UInt8 = 0x6C
    static let emptyDict: UInt8 = 0x7D, setItem: UInt8 = 0x73, setItems: UInt8 = 0x75, dict: UInt8 = 0x64
    static let emptySet: UInt8 = 0x8F, addItems: UInt8 = 0x90, frozenSet: UInt8 = 0x91
    static let global: UInt8 = 0x63, stackGlobal: UInt8 = 0x93, inst: UInt8 = 0x69, obj: UInt8 = 0x6F
    static let reduce: UInt8 = 0x52, build: UInt8 = 0x62, newObj: UInt8 = 0x81, newObjEx: UInt8 = 0x92
    static let binPersId: UInt8 = 0x51, persId: UInt8 = 0x50
    static let binGet: UInt8 = 0x68, longBinGet: UInt8 = 0x6A, get: UInt8 = 0x67
    static let binPut: UInt8 = 0x71, longBinPut: UInt8 = 0x72, put: UInt8 = 0x70, memoize: UInt8 = 0x94
}
