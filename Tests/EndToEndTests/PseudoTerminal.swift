import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An executable running on a fresh pseudo-terminal, so a test can type at it and read what it prints.
///
/// The child is a session leader whose controlling terminal is the new pty, so it behaves as under a real
/// terminal even when the test process itself has no terminal and no stdin. Every wait has a timeout, and the
/// child's process group is killed when the instance goes away. Use one instance from one task at a time.
final class PseudoTerminal {
    /// Why starting, talking to or waiting for the child failed.
    enum Failure: Error, CustomStringConvertible {
        case system(call: String, code: Int32)
        case timedOut(waitingFor: String, seen: String)
        case exited(status: Int32, waitingFor: String, seen: String)
        case stillRunning(seen: String)

        var description: String {
            switch self {
            case .system(let call, let code):
                "\(call) failed: \(String(cString: strerror(code)))"
            case .timedOut(let text, let seen):
                "timed out waiting for \(text.debugDescription); output since last match:\n\(seen)"
            case .exited(let status, let text, let seen):
                "child exited (\(status)) before printing \(text.debugDescription); output since last match:\n\(seen)"
            case .stillRunning(let seen):
                "child still running after the timeout; output since last match:\n\(seen)"
            }
        }
    }

    /// Process id of the child, which is also its session and process group id.
    let processID: pid_t
    private let master: Int32
    // Held open so the master never reads a hang-up before the child has opened its end, or after it exits.
    private let slave: Int32
    private var filter = EscapeFilter()
    private var pending: [UInt8] = []
    private var everything: [UInt8] = []
    private var raw: [UInt8] = []
    private var exitStatus: Int32?

    /// Directory holding the running test binary, which is where SwiftPM puts the package's executables.
    static var productsDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Starts `executable` on a new pseudo-terminal of `columns` x `rows`.
    ///
    /// The child sees the test's environment (without COLUMNS/LINES) overlaid with `environment`; TERM is
    /// xterm-256color unless `environment` names another one.
    init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        columns: UInt16 = 100,
        rows: UInt16 = 30
    ) throws {
        var master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else {
            throw Failure.system(call: "open(/dev/ptmx)", code: errno)
        }
        var slave: Int32 = -1
        do {
            master = try Self.moveAboveStandardStreams(master)
            let slavePath = try Self.unlockSlave(of: master)
            slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard slave >= 0 else {
                throw Failure.system(call: "open(\(slavePath))", code: errno)
            }
            slave = try Self.moveAboveStandardStreams(slave)
            var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
            guard ioctl(master, UInt(TIOCSWINSZ), &size) == 0 else {
                throw Failure.system(call: "ioctl(TIOCSWINSZ)", code: errno)
            }
            processID = try Self.spawn(
                executable: executable,
                arguments: arguments,
                environment: Self.childEnvironment(overrides: environment),
                workingDirectory: workingDirectory,
                terminalPath: slavePath
            )
        } catch {
            close(master)
            if slave >= 0 {
                close(slave)
            }
            throw error
        }
        self.master = master
        self.slave = slave
    }

    deinit {
        terminate()
        close(master)
        close(slave)
    }

    /// All output so far with escape sequences, carriage returns and other control bytes removed.
    var transcript: String {
        String(decoding: everything, as: UTF8.self)
    }

    /// All output so far exactly as the child wrote it, escape sequences included.
    var rawTranscript: String {
        String(decoding: raw, as: UTF8.self)
    }

    /// Types `text` at the child; control keys are plain characters, e.g. "\u{12}" for Ctrl-R.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN {
                    continue
                }
                throw Failure.system(call: "write(pty)", code: errno)
            }
            offset += written
        }
    }

    /// Reads until the cleaned output since the previous match contains `text`; returns that output through the
    /// match and keeps whatever follows it for the next call.
    @discardableResult
    func expect(_ text: String, timeout: Duration = .seconds(10)) throws -> String {
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let end = Self.endOfMatch(of: needle, in: pending) {
                let matched = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end)
                return matched
            }
            let seen = String(decoding: pending, as: UTF8.self)
            if let exitStatus, !readAvailable(waitingAtMost: .zero) {
                throw Failure.exited(status: exitStatus, waitingFor: text, seen: seen)
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw Failure.timedOut(waitingFor: text, seen: seen)
            }
            readAvailable(waitingAtMost: min(remaining, .milliseconds(50)))
            reapIfExited()
        }
    }

    /// Waits for the child to exit and returns its exit code, or 128 + the signal number that killed it.
    func waitForExit(timeout: Duration = .seconds(10)) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while exitStatus == nil {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw Failure.stillRunning(seen: String(decoding: pending, as: UTF8.self))
            }
            // Keep draining: a child blocked on a full pty buffer would never exit.
            readAvailable(waitingAtMost: min(remaining, .milliseconds(50)))
            reapIfExited()
        }
        while readAvailable(waitingAtMost: .zero) {}
        return exitStatus ?? -1
    }

    /// Changes the terminal size; the kernel sends SIGWINCH to the child.
    func resize(columns: UInt16, rows: UInt16) throws {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard ioctl(master, UInt(TIOCSWINSZ), &size) == 0 else {
            throw Failure.system(call: "ioctl(TIOCSWINSZ)", code: errno)
        }
    }

    /// Whether the terminal is in its usual cooked mode: lines buffered and typed keys echoed.
    var isCooked: Bool {
        var modes = termios()
        guard tcgetattr(slave, &modes) == 0 else { return false }
        return modes.c_lflag & tcflag_t(ICANON) != 0 && modes.c_lflag & tcflag_t(ECHO) != 0
    }

    /// Sends `signal` to the child alone.
    func signal(_ signal: Int32) {
        kill(processID, signal)
    }

    /// Kills the child's whole process group and reaps it; does nothing once it has exited.
    func terminate() {
        guard exitStatus == nil else {
            return
        }
        kill(-processID, SIGKILL)
        kill(processID, SIGKILL)
        var status: Int32 = 0
        while waitpid(processID, &status, 0) < 0 && errno == EINTR {}
        exitStatus = Self.exitCode(fromWaitStatus: status)
    }

    /// Returns true when it read something.
    @discardableResult
    private func readAvailable(waitingAtMost wait: Duration) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = wait.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        guard poll(&descriptor, 1, milliseconds) > 0, descriptor.revents & Int16(POLLIN) != 0 else {
            return false
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        guard count > 0 else {
            return false
        }
        raw += buffer[..<count]
        let cleaned = filter.feed(buffer[..<count])
        pending += cleaned
        everything += cleaned
        return true
    }

    private func reapIfExited() {
        guard exitStatus == nil else {
            return
        }
        var status: Int32 = 0
        if waitpid(processID, &status, WNOHANG) == processID {
            exitStatus = Self.exitCode(fromWaitStatus: status)
        }
    }

    private static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        // WIFEXITED/WEXITSTATUS are macros, which Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func endOfMatch(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty else {
            return 0
        }
        guard haystack.count >= needle.count else {
            return nil
        }
        let lastStart = haystack.count - needle.count
        let start = (0...lastStart).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
        return start.map { $0 + needle.count }
    }

    /// With stdin closed (as under CI) a new descriptor can land on 0-2, where stray prints would reach the pty.
    private static func moveAboveStandardStreams(_ descriptor: Int32) throws -> Int32 {
        guard descriptor <= STDERR_FILENO else {
            return descriptor
        }
        let moved = fcntl(descriptor, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)
        let code = errno
        close(descriptor)
        guard moved >= 0 else {
            throw Failure.system(call: "fcntl(F_DUPFD_CLOEXEC)", code: code)
        }
        return moved
    }

    private static func unlockSlave(of master: Int32) throws -> String {
        // grantpt, unlockpt and ptsname_r are hidden from Swift by glibc feature macros, so they are looked up.
        typealias DescriptorCall = @convention(c) (Int32) -> Int32
        typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
        guard let grant: DescriptorCall = libcFunction("grantpt"), grant(master) == 0 else {
            throw Failure.system(call: "grantpt", code: errno)
        }
        guard let unlock: DescriptorCall = libcFunction("unlockpt"), unlock(master) == 0 else {
            throw Failure.system(call: "unlockpt", code: errno)
        }
        var name = [CChar](repeating: 0, count: 128)
        guard let ptsname: NameCall = libcFunction("ptsname_r") else {
            throw Failure.system(call: "dlsym(ptsname_r)", code: ENOSYS)
        }
        let code = ptsname(master, &name, name.count)
        guard code == 0 else {
            throw Failure.system(call: "ptsname_r", code: code)
        }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func libcFunction<Function>(_ name: String) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            return nil
        }
        return unsafeBitCast(symbol, to: Function.self)
    }

    private static func childEnvironment(overrides: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // Inherited sizes would win over the pty's window size in many programs.
        environment["COLUMNS"] = nil
        environment["LINES"] = nil
        environment["TERM"] = "xterm-256color"
        // The test runner may itself run under NO_COLOR; the child's colour is each test's to choose.
        environment["NO_COLOR"] = nil
        environment.merge(overrides) { _, override in override }
        return environment
    }

    private static func spawn(
        executable: String,
        arguments: [String],
        environment: [String: String],
        workingDirectory: String?,
        terminalPath: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child runs setsid before its file actions, so opening the slave without O_NOCTTY makes it the
        // controlling terminal: no fork and no TIOCSCTTY needed.
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, terminalPath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, STDIN_FILENO, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, STDIN_FILENO, STDERR_FILENO)
        if let workingDirectory {
            typealias ChangeDirectory =
                @convention(c) (
                    UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?
                ) -> Int32
            guard let addChangeDirectory: ChangeDirectory = libcFunction("posix_spawn_file_actions_addchdir_np") else {
                throw Failure.system(call: "dlsym(posix_spawn_file_actions_addchdir_np)", code: ENOSYS)
            }
            let code = addChangeDirectory(&actions, workingDirectory)
            guard code == 0 else {
                throw Failure.system(call: "posix_spawn_file_actions_addchdir_np", code: code)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID is a GNU extension that Swift's Glibc module does not import.
        let setSessionID: Int32 = 0x80
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        // Test runners may block or ignore signals (SIGPIPE, SIGINT); the child must start from the defaults.
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(setSessionID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv + [nil], envp + [nil])
        guard code == 0 else {
            throw Failure.system(call: "posix_spawn(\(executable))", code: code)
        }
        return pid
    }
}

/// Drops ANSI escape sequences and control bytes other than newline and tab from a byte stream, keeping its
/// state across chunks so a sequence split between two reads is still removed.
private struct EscapeFilter {
    private enum State {
        case text
        case escape
        case escapeIntermediate
        case controlSequence
        case string
        case stringEscape
    }

    private var state = State.text

    mutating func feed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for byte in bytes {
            switch state {
            case .text:
                if byte == 0x1b {
                    state = .escape
                } else if byte == 0x0a || byte == 0x09 || (byte >= 0x20 && byte != 0x7f) {
                    output.append(byte)
                }
            case .escape:
                switch byte {
                case UInt8(ascii: "["):
                    state = .controlSequence
                case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"), UInt8(ascii: "_"):
                    state = .string
                case 0x20...0x2f:
                    state = .escapeIntermediate
                default:
                    state = .text
                }
            case .escapeIntermediate:
                if !(0x20...0x2f).contains(byte) {
                    state = .text
                }
            case .controlSequence:
                if (0x40...0x7e).contains(byte) {
                    state = .text
                }
            case .string:
                if byte == 0x07 {
                    state = .text
                } else if byte == 0x1b {
                    state = .stringEscape
                }
            case .stringEscape:
                state = byte == UInt8(ascii: "\\") ? .text : .string
            }
        }
        return output
    }
}
