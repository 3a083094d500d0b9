import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scheduling priority for the pipeline's helper threads.
enum ThreadPriority {
    /// Makes the calling thread yield the CPU to the inference threads: decoders then
    /// fill the engine's idle moments (serial ops, waits between parallel sections)
    /// instead of preempting an engine thread and stalling all of them at the next
    /// barrier. Work-conserving: when the engine waits for images, decoders get every core.
    static func lowerCurrentThread() {
        #if canImport(Glibc)
        // Linux niceness is per thread: `who` 0 is the calling thread (not the whole
        // process, unlike POSIX). 10 of 19 still leaves decoders a fair share under load.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #elseif canImport(Darwin)
        _ = pthread_set_qos_class_self_np(QOS_CLASS_UTILITY, 0)
        #endif
    }
}
