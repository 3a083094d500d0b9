"""Peak resident memory of this process, in megabytes, for the benchmark scripts.

On Linux it reads VmHWM from /proc/self/status: getrusage's ru_maxrss is carried over from
the parent through fork and exec, so a script started by a large parent (imgvec bench, bench-embed)
would report the parent's peak instead of its own. Elsewhere ru_maxrss (bytes on macOS).
"""
import resource
import sys


def peak_rss_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
