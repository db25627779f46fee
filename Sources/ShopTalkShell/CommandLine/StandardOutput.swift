#if canImport(Glibc)
    @preconcurrency import Glibc
#else
    @preconcurrency import Darwin
#endif

/// Standard output settings for a process that may be read line by line through a pipe.
package enum StandardOutput {
    /// Flushes standard output at each newline, so a program reading the shell through a pipe sees every
    /// reply as soon as it is written rather than when the buffer fills.
    package static func flushEachLine() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
