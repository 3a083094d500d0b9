import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's resource usage.
public enum ResourceUsage {
    /// Peak resident memory of this process so far, in megabytes.
    public static var peakResidentMegabytes: Double {
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
