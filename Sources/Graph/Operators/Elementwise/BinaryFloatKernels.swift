import Foundation
import Kernels

/// Float32 kernels for one broadcast run: each operand advances (`step` 1) or repeats (`step` 0).
enum BinaryFloatKernels {
    typealias Vector = SIMD8<Float>

    /// `out[i] = f(a[i·aStep], b[i·bStep])` with SIMD8 for the three vector/scalar cases.
    @inline(__always)
    static func run(_ a: UnsafePointer<Float>, _ aAdvances: Bool, _ b: UnsafePointer<Float>, _ bAdvances: Bool,
                    _ out: UnsafeMutablePointer<Float>, _ count: Int,
                    _ vector: (Vector, Vector) -> Vector, _ scalar: (Float, Float) -> Float) {
        var i = 0
        switch (aAdvances, bAdvances) {
        case (true, true):
            while i + 8 <= count {
                let x = UnsafeRawPointer(a + i).loadUnaligned(as: Vector.self)
                let y = UnsafeRawPointer(b + i).loadUnaligned(as: Vector.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: vector(x, y), as: Vector.self)
                i += 8
            }
            while i < count { out[i] = scalar(a[i], b[i]); i += 1 }
        case (true, false):
            let s = b.pointee, y = Vector(repeating: s)
            while i + 8 <= count {
                let x = UnsafeRawPointer(a + i).loadUnaligned(as: Vector.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: vector(x, y), as: Vector.self)
                i += 8
            }
            while i < count { out[i] = scalar(a[i], s); i += 1 }
        case (false, true):
            let s = a.pointee, x = Vector(repeating: s)
            while i + 8 <= count {
                let y = UnsafeRawPointer(b + i).loadUnaligned(as: Vector.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: vector(x, y), as: Vector.self)
                i += 8
            }
            while i < count { out[i] = scalar(s, b[i]); i += 1 }
        case (false, false):
            let value = scalar(a.pointee, b.pointee)
            out.update(repeating: value, count: count)
        }
    }

    /// Scalar-loop version for functions without a SIMD form; `R` may differ from `T`.
    @inline(__always)
    static func scalarRun<T, R>(_ a: UnsafePointer<T>, _ aAdvances: Bool, _ b: UnsafePointer<T>, _ bAdvances: Bool,
                                _ out: UnsafeMutablePointer<R>, _ count: Int, _ f: (T, T) -> R) {
        switch (aAdvances, bAdvances) {
        case (true, true): for i in 0..<count { out[i] = f(a[i], b[i]) }
        case (true, false): let s = b.pointee; for i in 0..<count { out[i] = f(a[i], s) }
        case (false, true): let s = a.pointee; for i in 0..<count { out[i] = f(s, b[i]) }
        case (false, false): out.update(repeating: f(a.pointee, b.pointee), count: count)
        }
    }

    /// x^y with fast paths for the exponents models use (2, 0.5, 1, 3).
    static func power(_ a: UnsafePointer<Float>, _ aAdvances: Bool, _ b: UnsafePointer<Float>, _ bAdvances: Bool,
                      _ out: UnsafeMutablePointer<Float>, _ count: Int) {
        if aAdvances && !bAdvances {
            switch b.pointee {
            case 2: return run(a, true, a, true, out, count, { $0 * $1 }, { $0 * $1 })
            case 1: out.update(from: a, count: count); return
            case 3: for i in 0..<count { out[i] = a[i] * a[i] * a[i] }; return
            case 0.5: for i in 0..<count { out[i] = a[i].squareRoot() }; return
            default: break
            }
        }
        scalarRun(a, aAdvances, b, bAdvances, out, count) { Foundation.pow($0, $1) }
    }

    /// Remainder: C `fmod` (sign of the dividend) or, with `fmod == false`, the sign of the divisor.
    static func remainder(_ a: UnsafePointer<Float>, _ aAdvances: Bool, _ b: UnsafePointer<Float>, _ bAdvances: Bool,
                          _ out: UnsafeMutablePointer<Float>, _ count: Int, fmod: Bool) {
        if fmod {
            scalarRun(a, aAdvances, b, bAdvances, out, count) { Foundation.fmod($0, $1) }
        } else {
            scalarRun(a, aAdvances, b, bAdvances, out, count) { x, y in
                let r = Foundation.fmod(x, y)
                return r != 0 && (r < 0) != (y < 0) ? r + y : r
            }
        }
    }
}
