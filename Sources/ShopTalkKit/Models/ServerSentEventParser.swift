import Foundation

/// Turns a server-sent event byte stream into the `data` payloads of its events.
///
/// Bytes are buffered until a line ends, so a network chunk may end anywhere: mid-line, between `\r` and
/// `\n`, or inside a multi-byte UTF-8 character.
struct ServerSentEventParser {
    private var line: [UInt8] = []
    private var dataLines: [String] = []
    private var pendingLineFeedAfterCarriageReturn = false

    /// Creates a parser with nothing buffered.
    init() {}

    /// Consumes the next bytes and returns the payloads of the events they complete, in order.
    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [String] where Bytes.Element == UInt8 {
        var events: [String] = []
        for byte in bytes {
            if pendingLineFeedAfterCarriageReturn {
                pendingLineFeedAfterCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                endLine(into: &events)
            case UInt8(ascii: "\r"):
                endLine(into: &events)
                pendingLineFeedAfterCarriageReturn = true
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Returns the payload of an event the stream ended without terminating, if any.
    mutating func finish() -> [String] {
        var events: [String] = []
        if !line.isEmpty { endLine(into: &events) }
        dispatch(into: &events)
        return events
    }

    private mutating func endLine(into events: inout [String]) {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            dispatch(into: &events)
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        guard !text.hasPrefix(":") else { return }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        if field == "data" { dataLines.append(String(value)) }
    }

    private mutating func dispatch(into events: inout [String]) {
        guard !dataLines.isEmpty else { return }
        events.append(dataLines.joined(separator: "\n"))
        dataLines.removeAll()
    }
}
