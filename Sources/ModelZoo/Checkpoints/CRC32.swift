/// CRC-32 (IEEE 802.3, as zip uses), slicing-by-4.
enum CRC32 {
    private static let tables: [[UInt32]] = {
        var first = [UInt32](repeating: 0, count: 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            first[n] = c
        }
        var tables = [first]
        for k in 1..<4 {
            tables.append((0..<256).map { n in
                let previous = tables[k - 1][n]
                return first[Int(previous & 0xFF)] ^ (previous >> 8)
            })
        }
        return tables
    }()

    /// The CRC-32 of `data`.
    static func checksum(_ data: UnsafeRawBufferPointer) -> UInt32 {
        let t = tables
        return t[0].withUnsafeBufferPointer { t0 in t[1].withUnsafeBufferPointer { t1 in
            t[2].withUnsafeBufferPointer { t2 in t[3].withUnsafeBufferPointer { t3 in
                var crc: UInt32 = 0xFFFF_FFFF
                var i = 0
                let n = data.count
                while i + 4 <= n {
                    crc ^= UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
                    crc = t3[Int(crc & 0xFF)] ^ t2[Int((crc >> 8) & 0xFF)] ^ t1[Int((crc >> 16) & 0xFF)] ^ t0[Int(crc >> 24)]
                    i += 4
                }
                while i < n {
                    crc = t0[Int((crc ^ UInt32(data[i])) & 0xFF)] ^ (crc >> 8)
                    i += 1
                }
                return ~crc
            } }
        } }
    }
}
