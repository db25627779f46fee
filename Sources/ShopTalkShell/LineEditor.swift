import CEditLine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Interactive terminal line reader on libedit with emacs keys, persistent history, Ctrl-R search and Tab completion.
///
/// An instance owns its EditLine and History handles and the terminal modes they switch, so it is meant to be
/// created, used and released on one thread; it is deliberately not `Sendable`.
package final class LineEditor {
    /// Why a line editor could not be created.
    package enum Failure: Error, CustomStringConvertible {
        case editLineUnavailable
        case historyUnavailable

        package var description: String {
            switch self {
            case .editLineUnavailable:
                "libedit could not initialise the terminal (el_init failed)"
            case .historyUnavailable:
                "libedit could not allocate a history list (history_init failed)"
            }
        }
    }

    /// State the C callbacks reach through EL_CLIENTDATA, since C function pointers cannot capture Swift values.
    final class Context {
        /// Produces full candidate words for the word before the cursor, given the whole line up to the cursor.
        let completer: (String) -> [String]
        /// NUL-terminated prompt handed to libedit; it must stay valid until the next prompt replaces it.
        private(set) var prompt: UnsafeMutablePointer<CChar>

        init(completer: @escaping (String) -> [String]) {
            self.completer = completer
            prompt = strdup("")
        }

        deinit {
            free(prompt)
        }

        /// Replaces the prompt shown by the next `el_gets`.
        func setPrompt(_ text: String) {
            free(prompt)
            prompt = strdup(text)
        }
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let context: Context
    private let historyFile: URL?

    /// Sets up libedit on stdin/stdout/stderr and loads `historyFile` when it exists.
    package init(
        programName: String,
        historyFile: URL?,
        historySize: Int = 1000,
        completer: @escaping (_ lineBeforeCursor: String) -> [String]
    ) throws {
        Self.enableMultibyteInput()
        guard let history = history_init() else {
            throw Failure.historyUnavailable
        }
        guard let editLine = shim_el_init(programName) else {
            history_end(history)
            throw Failure.editLineUnavailable
        }
        self.editLine = editLine
        self.history = history
        self.historyFile = historyFile
        context = Context(completer: completer)

        shim_history_set_size(history, Int32(clamping: max(1, historySize)))
        shim_history_set_unique(history, 1)
        if let historyFile, FileManager.default.fileExists(atPath: historyFile.path) {
            shim_history_load(history, historyFile.path)
        }

        shim_el_set_client_data(editLine, Unmanaged.passUnretained(context).toOpaque())
        shim_el_set_prompt(editLine, { editLine in LineEditor.currentPrompt(editLine) }, 1)
        // Selecting the editor resets the key maps, so it has to come before every custom binding.
        shim_el_set_editor(editLine, "emacs")
        shim_guard_terminal_modes()
        shim_el_read_with_resizes(editLine)
        shim_el_set_history(editLine, history)
        shim_el_add_function(editLine, "shoptalk-complete", "Complete the word before the cursor") { editLine, _ in
            LineEditor.completeWord(editLine)
        }
        shim_el_bind(editLine, "^I", "shoptalk-complete")
        shim_el_bind(editLine, "^R", "em-inc-search-prev")
        shim_el_bind_cancel(editLine)
    }

    deinit {
        // el_end restores the terminal modes, so it runs before anything else is torn down.
        el_end(editLine)
        history_end(history)
    }

    /// What one read from the terminal gave.
    package enum Input: Equatable {
        /// An edited line, without its trailing newline.
        case line(String)
        /// Ctrl-C dropped the line being typed.
        case cancelled
        /// End of input: Ctrl-D on an empty line.
        case end
    }

    /// Reads one edited line.
    ///
    /// Wrap non-printing prompt bytes (colour escapes) in `\u{1}` so libedit does not count them as columns.
    package func read(prompt: String) -> Input {
        context.setPrompt(prompt)
        while true {
            // el_gets draws the prompt while the terminal is still cooked and only switches to raw mode at the
            // first key read, so keys arriving just after the prompt would be echoed and line-edited by the tty.
            shim_el_prepare_terminal(editLine, 1)
            var count: Int32 = 0
            guard let raw = el_gets(editLine, &count) else {
                if shim_take_interrupt() != 0 {
                    // Ctrl-C on an empty line: a fresh prompt, not the end of input.
                    markCancelled()
                    return .cancelled
                }
                if count < 0 && errno == EINTR {
                    continue
                }
                // libedit echoes "^D" and leaves the cursor on the prompt line; later output needs a fresh line.
                if let output = shim_el_output(editLine) {
                    fputs("\n", output)
                    fflush(output)
                }
                return .end
            }
            // The count from el_gets is not a byte length in every libedit release once multibyte input is on,
            // so the NUL-terminated buffer is the only trustworthy length.
            if shim_take_interrupt() != 0 {
                // Ctrl-C dropped what was typed; a fresh prompt follows, as in other shells.
                markCancelled()
                return .cancelled
            }
            var line = String(cString: raw)
            while line.hasSuffix("\n") || line.hasSuffix("\r") {
                line.removeLast()
            }
            return .line(line)
        }
    }

    /// Runs `body` with the terminal's own echo off, so keys typed ahead while a turn runs are not printed
    /// into the reply; they stay queued, and the next `read(prompt:)` shows them as the line being edited.
    package func withoutEcho<Value>(_ body: () async throws -> Value) async rethrows -> Value {
        var modes = termios()
        guard tcgetattr(STDIN_FILENO, &modes) == 0 else { return try await body() }
        var quiet = modes
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &modes) }
        return try await body()
    }

    /// Shows that the line was dropped and moves to a fresh one.
    private func markCancelled() {
        guard let output = shim_el_output(editLine) else { return }
        fputs("^C\n", output)
        fflush(output)
    }

    /// Adds a line to the history and saves the history file; blank lines and an immediate repeat are ignored.
    package func addHistory(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace) else {
            return
        }
        if let newest = shim_history_newest(history), String(cString: newest) == line {
            return
        }
        shim_history_enter(history, line)
        saveHistory()
    }

    /// True when both stdin and stdout are terminals and TERM names a terminal able to move the cursor.
    package static func isInteractive() -> Bool {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            return false
        }
        guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty, term != "dumb" else {
            return false
        }
        return true
    }

    /// The context registered as EL_CLIENTDATA on `editLine`.
    static func context(of editLine: OpaquePointer?) -> Context? {
        guard let editLine, let raw = shim_el_client_data(editLine) else {
            return nil
        }
        return Unmanaged<Context>.fromOpaque(raw).takeUnretainedValue()
    }

    private static func currentPrompt(_ editLine: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
        if let context = context(of: editLine) {
            return context.prompt
        }
        // libedit dereferences the prompt unconditionally, so hand it a static empty string instead of NULL.
        return UnsafeMutableRawPointer(mutating: StaticString("").utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// libedit decodes input with the C library's multibyte functions, which only accept UTF-8 under a UTF-8
    /// LC_CTYPE; the plain "C" locale (no LANG, as in CI and minimal containers) would reject every non-ASCII byte.
    private static func enableMultibyteInput() {
        setlocale(LC_CTYPE, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        if codeset == "ANSI_X3.4-1968" || codeset == "ASCII" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    private func saveHistory() {
        guard let historyFile else {
            return
        }
        let directory = historyFile.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Writing a sibling file and renaming it keeps a crash mid-save from truncating the existing history.
        let temporary = directory.appendingPathComponent(".\(historyFile.lastPathComponent).\(getpid()).tmp")
        guard shim_history_save(history, temporary.path) >= 0 else {
            unlink(temporary.path)
            return
        }
        if rename(temporary.path, historyFile.path) != 0 {
            unlink(temporary.path)
        }
    }
}
