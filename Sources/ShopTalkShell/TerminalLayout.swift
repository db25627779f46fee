import CEditLine
import Foundation

/// Text measured and laid out for a terminal window.
///
/// A reply is broken at spaces to fit the window, continuation lines indented under the text of the line they
/// continue, so the terminal never splits a word. Output that is not a terminal keeps every reply line as it
/// is, for pipes and the scripts that read them.
enum TerminalLayout {
    /// The reply's lines, the first to follow a prefix `indent` columns wide and the rest indented by it.
    ///
    /// A list item ("- ", "• ", "1. ") hangs its continuations under the item's text. A word wider than the
    /// room left is cut, the only place a word is split.
    static func lines(of reply: String, width: Int, indent: Int) -> [String] {
        let room = width - indent
        // Too narrow to lay anything out sensibly: leave the breaking to the terminal.
        guard room >= 10 else { return reply.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let margin = String(repeating: " ", count: indent)
        var laidOut: [String] = []
        for line in reply.split(separator: "\n", omittingEmptySubsequences: false) {
            let hang = String(repeating: " ", count: min(hangingIndent(of: line), room / 2))
            laidOut += wrap(line, room: room, hang: hang).map { $0.isEmpty ? $0 : margin + $0 }
        }
        if let first = laidOut.first, !first.isEmpty { laidOut[0].removeFirst(indent) }
        return laidOut
    }

    /// The reply laid out for the window when standard output is a terminal; otherwise the reply unchanged.
    ///
    /// The width is read on every call, so a resized window lays out the next reply to its new size.
    static func forStandardOutput(_ reply: String, indent: Int) -> String {
        text(reply, width: terminalWidth(), indent: indent)
    }

    /// `text` laid out as `lines(of:width:indent:)` and joined, or unchanged without a `width`.
    static func text(_ text: String, width: Int?, indent: Int) -> String {
        guard let width else { return text }
        return lines(of: text, width: width, indent: indent).joined(separator: "\n")
    }

    /// The window's width in columns when standard output is a terminal, else nil.
    static func terminalWidth() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// The columns `text` takes on a terminal: wide characters count two, combining marks none.
    static func columns<Text: StringProtocol>(_ text: Text) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let width = Int(shim_char_width(wchar_t(scalar.value)))
            guard width < 0 else { return total + width }
            // wcwidth knows only ASCII under the plain C locale: marks then take no column, the rest one.
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .control, .format: return total
            default: return total + 1
            }
        }
    }

    /// One line broken into pieces of at most `room` columns, every piece after the first led by `hang`.
    private static func wrap(_ line: Substring, room: Int, hang: String) -> [String] {
        let leading = line.prefix { $0 == " " }
        var pieces: [String] = []
        var current = String(leading)
        var used = columns(leading)
        var holdsWord = false
        // Runs of spaces between words are kept, except where a line breaks.
        var spaces = 0
        for (index, piece) in line.dropFirst(leading.count).split(separator: " ", omittingEmptySubsequences: false)
            .enumerated()
        {
            if index > 0 { spaces += 1 }
            guard !piece.isEmpty else { continue }
            var word = piece
            if holdsWord {
                if used + spaces + columns(word) <= room {
                    current += String(repeating: " ", count: spaces) + word
                    used += spaces + columns(word)
                    spaces = 0
                    continue
                }
                pieces.append(current)
                (current, used) = (hang, hang.count)
            }
            spaces = 0
            while used + columns(word) > room {
                let cut = prefix(of: word, fitting: room - used)
                pieces.append(current + cut)
                word = word.dropFirst(cut.count)
                (current, used) = (hang, hang.count)
            }
            current += word
            used += columns(word)
            holdsWord = true
        }
        pieces.append(current)
        return pieces
    }

    /// The longest prefix of `word` that fits in `room` columns, at least one character.
    private static func prefix(of word: Substring, fitting room: Int) -> Substring {
        var used = 0
        var end = word.startIndex
        while end < word.endIndex {
            let next = columns(String(word[end]))
            guard used + next <= room || end == word.startIndex else { break }
            used += next
            end = word.index(after: end)
        }
        return word[..<end]
    }

    /// The width of a list marker and its leading spaces: "- ", "• ", "* " or a number with "." or ")".
    private static func hangingIndent(of line: Substring) -> Int {
        let leading = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(leading)
        for marker in ["- ", "• ", "* "] where rest.hasPrefix(marker) {
            return leading + 2
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        let after = rest.dropFirst(digits.count)
        if !digits.isEmpty, digits.count <= 3, after.hasPrefix(". ") || after.hasPrefix(") ") {
            return leading + digits.count + 2
        }
        return leading
    }
}
