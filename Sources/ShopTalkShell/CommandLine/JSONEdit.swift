/// Minimal edits to JSON text that keep everything else byte for byte: the order of keys, spacing and comments
/// a person wrote around them.
enum JSONEdit {
    /// `text` with the number at `path` (two object keys deep) replaced by `value`, or the innermost key
    /// inserted when it is missing; nil when the text's shape is not understood, so the caller can rewrite the
    /// whole document instead.
    static func settingNumber(_ value: Double, at path: [String], in text: String) -> String? {
        guard path.count == 2 else { return nil }
        let bytes = Array(text.utf8)
        let number = Array(String(value).utf8)
        guard let top = firstObject(in: bytes, from: 0) else { return nil }
        // New lines follow the file's own line endings.
        let newline = text.contains("\r\n") ? "\r\n" : "\n"
        guard let outer = member(path[0], in: bytes, object: top) else {
            // No outer object yet: add it as the last member of the document.
            let body = bytes[(top.open + 1)..<top.close].contains { !isSpace($0) }
            let insertion =
                Array("\(body ? "," : "")\(newline)  \"\(path[0])\": {\"\(path[1])\": ".utf8) + number
                + Array("}\(newline)".utf8)
            var end = top.close
            while end > top.open + 1, isSpace(bytes[end - 1]) { end -= 1 }
            return String(decoding: bytes[..<end] + insertion + bytes[top.close...], as: UTF8.self)
        }
        guard bytes[outer.valueStart] == UInt8(ascii: "{"), let inner = firstObject(in: bytes, from: outer.valueStart)
        else { return nil }
        if let field = member(path[1], in: bytes, object: inner) {
            var end = field.valueStart
            while end < bytes.count, "-+.eE0123456789".utf8.contains(bytes[end]) { end += 1 }
            guard end > field.valueStart else { return nil }
            return String(decoding: bytes[..<field.valueStart] + number + bytes[end...], as: UTF8.self)
        }
        let empty = !bytes[(inner.open + 1)..<inner.close].contains { !isSpace($0) }
        let insertion = Array("\"\(path[1])\": ".utf8) + number + Array((empty ? "" : ", ").utf8)
        return String(decoding: bytes[...inner.open] + insertion + bytes[(inner.open + 1)...], as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The positions of the braces of the object starting at or after `start`.
    private static func firstObject(in bytes: [UInt8], from start: Int) -> (open: Int, close: Int)? {
        guard let open = bytes[start...].firstIndex(of: UInt8(ascii: "{")) else { return nil }
        var depth = 0
        var inString = false
        var index = open
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return (open, index) }
            }
            index += 1
        }
        return nil
    }

    /// Where the value of the member `key` directly inside `object` starts.
    private static func member(_ key: String, in bytes: [UInt8], object: (open: Int, close: Int)) -> (
        keyStart: Int, valueStart: Int
    )? {
        let wanted = Array("\"\(key)\"".utf8)
        var depth = 0
        var index = object.open + 1
        while index < object.close {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let start = index
                index += 1
                while index < object.close, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                if depth == 0, Array(bytes[start...index]) == wanted {
                    var after = index + 1
                    while after < object.close, isSpace(bytes[after]) { after += 1 }
                    // A string value that happens to spell the key is not followed by a colon.
                    if after < object.close, bytes[after] == UInt8(ascii: ":") {
                        after += 1
                        while after < object.close, isSpace(bytes[after]) { after += 1 }
                        return (start, after)
                    }
                }
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
            }
            index += 1
        }
        return nil
    }
}
