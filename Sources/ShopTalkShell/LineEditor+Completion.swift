import CEditLine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension LineEditor {
    /// What one Tab press does to the line, decided apart from the terminal so it can be unit tested.
    package enum CompletionAction: Equatable, Sendable {
        /// Insert this text at the cursor.
        case insert(String)
        /// Delete this many characters before the cursor, then insert the text (candidate with another spelling).
        case replace(deleting: Int, with: String)
        /// Print these candidates below the line and redraw it.
        case list([String])
        /// Nothing matches.
        case beep
    }

    /// The word being completed: everything after the last whitespace before the cursor.
    package static func wordBeforeCursor(in lineBeforeCursor: String) -> String {
        guard let lastSpace = lineBeforeCursor.lastIndex(where: \.isWhitespace) else {
            return lineBeforeCursor
        }
        return String(lineBeforeCursor[lineBeforeCursor.index(after: lastSpace)...])
    }

    /// Decides the Tab action: a single candidate is completed with a trailing space, several are extended to
    /// their longest common prefix, and listed once nothing more can be inserted.
    package static func completionAction(word: String, candidates: [String]) -> CompletionAction {
        var seen = Set<String>()
        let unique = candidates.filter { !$0.isEmpty && seen.insert($0).inserted }
        guard let first = unique.first else {
            return .beep
        }
        if unique.count == 1 {
            return extend(word: word, to: first + " ")
        }
        let prefix = unique.dropFirst().reduce(first) { commonPrefix($0, $1) }
        // Compared as scalars, not Characters: canonical equivalence would let a prefix "match" different bytes.
        let prefixScalars = prefix.unicodeScalars
        if prefixScalars.count > word.unicodeScalars.count, prefixScalars.starts(with: word.unicodeScalars) {
            return extend(word: word, to: prefix)
        }
        return .list(unique.sorted())
    }

    /// Lays candidates out in columns, filled top to bottom like `ls`, within `width` terminal columns.
    package static func columnLayout(_ candidates: [String], width: Int) -> [String] {
        guard !candidates.isEmpty else {
            return []
        }
        let widths = candidates.map { TerminalLayout.columns($0) }
        let cellWidth = (widths.max() ?? 0) + 2
        let columns = max(1, min(candidates.count, max(1, width - 1) / cellWidth))
        let rows = (candidates.count + columns - 1) / columns
        return (0..<rows).map { row in
            var line = ""
            for column in 0..<columns {
                let index = column * rows + row
                guard index < candidates.count else {
                    break
                }
                line += candidates[index]
                let isLast = column == columns - 1 || index + rows >= candidates.count
                if !isLast {
                    line += String(repeating: " ", count: cellWidth - widths[index])
                }
            }
            return line
        }
    }

    /// Entry point of the Tab key binding; returns a libedit CC_* code.
    static func completeWord(_ editLine: OpaquePointer?) -> UInt8 {
        guard let editLine, let context = context(of: editLine), let info = el_line(editLine) else {
            return UInt8(CC_ERROR)
        }
        let byteCount = info.pointee.cursor - info.pointee.buffer
        let lineBeforeCursor = String(
            decoding: UnsafeRawBufferPointer(start: info.pointee.buffer, count: max(0, byteCount)),
            as: UTF8.self
        )
        let word = wordBeforeCursor(in: lineBeforeCursor)
        switch completionAction(word: word, candidates: context.completer(lineBeforeCursor)) {
        case .insert(let text):
            return el_insertstr(editLine, text) == 0 ? UInt8(CC_REFRESH) : UInt8(CC_ERROR)
        case .replace(let count, let text):
            // el_deletestr counts wide characters, which on Linux (32-bit wchar_t) are Unicode scalars.
            el_deletestr(editLine, Int32(count))
            return el_insertstr(editLine, text) == 0 ? UInt8(CC_REFRESH) : UInt8(CC_ERROR)
        case .list(let candidates):
            guard let output = shim_el_output(editLine) else {
                return UInt8(CC_ERROR)
            }
            // Start below the line being edited; CC_REDISPLAY then redraws prompt and line under the listing.
            var text = "\n"
            for row in columnLayout(candidates, width: Int(shim_el_columns(editLine))) {
                text += row + "\n"
            }
            fputs(text, output)
            fflush(output)
            return UInt8(CC_REDISPLAY)
        case .beep:
            return UInt8(CC_ERROR)
        }
    }

    private static func extend(word: String, to completion: String) -> CompletionAction {
        if completion.unicodeScalars.starts(with: word.unicodeScalars) {
            let rest = String(String.UnicodeScalarView(completion.unicodeScalars.dropFirst(word.unicodeScalars.count)))
            return rest.isEmpty ? .beep : .insert(rest)
        }
        return .replace(deleting: word.unicodeScalars.count, with: completion)
    }

    private static func commonPrefix(_ lhs: String, _ rhs: String) -> String {
        var result = String.UnicodeScalarView()
        for (left, right) in zip(lhs.unicodeScalars, rhs.unicodeScalars) {
            guard left == right else {
                break
            }
            result.append(left)
        }
        return String(result)
    }
}
