import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The newest entry's number and hash, kept in a file beside the ledger.
///
/// Records removed from the end of the log leave an intact chain behind; the head file is what tells
/// `AuditLog.verify()` that the chain once went further.
struct AuditHead: Equatable, Sendable {
    var seq: Int64
    var hash: String

    /// The head file of the ledger at `ledgerPath`; nil for a ledger in memory.
    static func file(forLedgerAt ledgerPath: String) -> URL? {
        ledgerPath == ":memory:" || ledgerPath.isEmpty ? nil : URL(fileURLWithPath: ledgerPath + ".head")
    }

    /// The head recorded in `file`: nil when there is none, a failure when the file cannot be read as one.
    static func read(from file: URL) -> Result<AuditHead, AuditHeadError>? {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? nil : .failure(.unreadable) }
        defer { close(descriptor) }
        // A head is one short line; a signal interrupting the read is no reason to call the file unreadable.
        var bytes = [UInt8](repeating: 0, count: 128)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got > 0 {
                count += got
            } else if got == 0 || errno != EINTR {
                break
            }
        }
        let fields = String(decoding: bytes[..<count], as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let seq = Int64(fields[0]), fields[1].count == 64 else {
            return .failure(.unreadable)
        }
        return .success(AuditHead(seq: seq, hash: String(fields[1])))
    }

    /// Replaces `file` with this head, atomically, so a crash leaves the old head or the new one.
    func write(to file: URL) throws {
        let line = Data("\(seq) \(hash)\n".utf8)
        // Foundation gives up on a write a signal interrupts; one more try is all such a fault needs.
        do {
            try line.write(to: file, options: .atomic)
        } catch {
            try line.write(to: file, options: .atomic)
        }
    }
}

/// A head file that exists but does not hold a head.
enum AuditHeadError: Error {
    case unreadable
}
