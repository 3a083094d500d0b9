import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's resource usage.
public enum ResourceUsage {
    /// Peak resident memory of this process so far, in megabytes.
    ///
    /// On Linux this is `VmHWM` from `/proc/self/status`, the high-water mark of this program's
    /// own address space. `getrusage`'s `ru_maxrss` is not used there: Linux carries it over
    /// from the parent through `fork` and `exec`, so a benchmark child started by a large parent
    /// would report the parent's peak (the Python scripts read `VmHWM` for the same reason).
    public static var peakResidentMegabytes: Double {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
            return kilobytes / 1024
        }
        #endif
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if canImport(Darwin)
        return Double(usage.ru_maxrss) / 1_048_576 // bytes on macOS
        #else
        return Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
        #endif
    }
}
