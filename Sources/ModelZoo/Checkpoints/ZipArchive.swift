/// A minimal read-only zip reader for torch checkpoints: central directory (zip64 included),
/// STORED entries viewed in place. Compressed or encrypted entries are refused with a clear error.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    /// True when `bytes` start like a zip file.
    static func looksLikeZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && (bytes[2] == 3 && bytes[3] == 4 || bytes[2] == 5 && bytes[3] == 6)
    }

    init(bytes: UnsafeRawBufferPointer, path: String) throws {
        self.bytes = bytes
        self.path = path
        let (count, directoryOffset, directorySize) = try locateCentralDirectory()
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw corrupt("central directory [\(directoryOffset), +\(directorySize)) lies outside the \(bytes.count)-byte file")
        }
        guard count <= directorySize / 46 + 1 else { throw corrupt("\(count) entries cannot fit a \(directorySize)-byte directory") }
        var cursor = ByteCursor(bytes, path: path, position: directoryOffset)
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let entry = try readDirectoryEntry(&cursor)
            index[entry.name] = entries.count
            entries.append(entry)
        }
    }

    func corrupt(_ reason: String) -> CheckpointError { .corrupt(path: path, reason: "zip: \(reason)") }

    /// The entry named `name`, if present.
    func entry(named name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The stored bytes of `entry` (a view into the file), optionally CRC-checked.
    func contents(of entry: Entry, verifyChecksum: Bool) throws -> UnsafeRawBufferPointer {
        guard entry.flags & 1 == 0 else {
            throw CheckpointError.unsupported(path: path, reason: "zip entry \(entry.name) is encrypted")
        }
        guard entry.method == 0 else {
            throw CheckpointError.unsupported(path: path, reason: "zip entry \(entry.name) is compressed (method \(entry.method)); "
                + "torch.save writes STORED entries: re-save the checkpoint with torch.save or unzip/re-zip it with -0")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw corrupt("STORED entry \(entry.name) has sizes \(entry.compressedSize) and \(entry.uncompressedSize)")
        }
        var cursor = ByteCursor(bytes, path: path)
        try cursor.seek(to: entry.localHeaderOffset)
        guard try cursor.u32("local header") == 0x0403_4B50 else { throw corrupt("bad local header of \(entry.name)") }
        try cursor.skip(22, "local header of \(entry.name)")
        let nameLength = Int(try cursor.u16()), extraLength = Int(try cursor.u16())
        try cursor.skip(nameLength + extraLength, "local header of \(entry.name)")
        let data = try cursor.slice(entry.uncompressedSize, "data of \(entry.name)")
        if verifyChecksum, CRC32.checksum(data) != entry.crc32 {
            throw corrupt("CRC-32 mismatch in \(entry.name) (the file is damaged)")
        }
        return data
    }

    // MARK: Central directory

    private func locateCentralDirectory() throws -> (count: Int, offset: Int, size: Int) {
        let minimum = 22
        guard bytes.count >= minimum else { throw corrupt("file of \(bytes.count) bytes is too short for a zip") }
        var position = bytes.count - minimum
        let lowest = max(0, bytes.count - minimum - 0xFFFF)
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 5, bytes[position + 3] == 6 { break }
            position -= 1
        }
        guard position >= lowest else { throw corrupt("no end-of-central-directory record (truncated?)") }
        var cursor = ByteCursor(bytes, path: path, position: position + 10)
        let count = Int(try cursor.u16())
        let size = Int(try cursor.u32())
        let offset = Int(try cursor.u32())
        guard count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF else { return (count, offset, size) }
        return try locateZip64Directory(endRecord: position)
    }

    private func locateZip64Directory(endRecord: Int) throws -> (count: Int, offset: Int, size: Int) {
        guard endRecord >= 20 else { throw corrupt("missing zip64 locator") }
        var cursor = ByteCursor(bytes, path: path, position: endRecord - 20)
        guard try cursor.u32() == 0x0706_4B50 else { throw corrupt("missing zip64 locator") }
        try cursor.skip(4)
        let recordOffset = try cursor.u64("zip64 record offset")
        guard recordOffset < UInt64(endRecord) else { throw corrupt("zip64 record offset \(recordOffset) out of range") }
        try cursor.seek(to: Int(recordOffset))
        guard try cursor.u32() == 0x0606_4B50 else { throw corrupt("bad zip64 end-of-central-directory record") }
        try cursor.skip(28, "zip64 record")
        let count = try cursor.u64(), size = try cursor.u64(), offset = try cursor.u64()
        let limit = UInt64(bytes.count)
        guard count <= limit, size <= limit, offset <= limit else { throw corrupt("zip64 directory out of range") }
        return (Int(count), Int(offset), Int(size))
    }

    private func readDirectoryEntry(_ cursor: inout ByteCursor) throws -> Entry {
        guard try cursor.u32("central directory entry") == 0x0201_4B50 else { throw corrupt("bad central directory entry") }
        try cursor.skip(4)
        let flags = try cursor.u16(), method = try cursor.u16()
        try cursor.skip(4)
        let crc = try cursor.u32()
        var compressed = UInt64(try cursor.u32()), uncompressed = UInt64(try cursor.u32())
        let nameLength = Int(try cursor.u16()), extraLength = Int(try cursor.u16()), commentLength = Int(try cursor.u16())
        try cursor.skip(8)
        var localOffset = UInt64(try cursor.u32())
        guard let name = String(validating: try cursor.slice(nameLength, "entry name"), as: UTF8.self) else {
            throw corrupt("entry name is not UTF-8")
        }
        var extra = ByteCursor(try cursor.slice(extraLength, "extra field of \(name)"), path: path)
        try cursor.skip(commentLength, "comment of \(name)")
        while extra.remaining >= 4 {
            let id = try extra.u16(), length = Int(try extra.u16())
            var field = ByteCursor(try extra.slice(length, "extra field of \(name)"), path: path)
            guard id == 0x0001 else { continue }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try field.u64("zip64 size of \(name)") }
            if compressed == 0xFFFF_FFFF { compressed = try field.u64("zip64 size of \(name)") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.u64("zip64 offset of \(name)") }
        }
        let limit = UInt64(bytes.count)
        guard compressed <= limit, uncompressed <= limit, localOffset <= limit else {
            throw corrupt("entry \(name) has sizes or offset beyond the file")
        }
        return Entry(name: name, method: method, flags: flags, crc32: crc, compressedSize: Int(compressed),
                     uncompressedSize: Int(uncompressed), localHeaderOffset: Int(localOffset))
    }
}
