import Foundation

/// A copy of the sample workspace in a temporary directory, removed when the value is released.
final class TestWorkspace {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: URL

    /// A copy of the sample whose index and trained classifier were built by one run of the binary, so each
    /// test starts warm: training is slow in a debug build.
    private static let warm: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shoptalk-warm-\(UUID().uuidString)")
        try? FileManager.default.copyItem(at: repository.appendingPathComponent("samples/retailer"), to: directory)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(".shoptalk"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--workspace", directory.path, "prompts", "list"]
        process.standardOutput = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(".shoptalk/ledger.sqlite"))
        return directory
    }()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("shoptalk-e2e-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.warm, to: directory)
        for name in ["ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm", "history"] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(".shoptalk/" + name))
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Points the sample's `local` model at a server on this machine's `port`.
    func pointLocalModel(atPort port: UInt16) throws {
        let config = directory.appendingPathComponent("shoptalk.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(of: "127.0.0.1:11434", with: "127.0.0.1:\(port)")
            .write(to: config, atomically: true, encoding: .utf8)
    }

    /// The built `shoptalk` binary beside the test bundle.
    static var binary: String {
        PseudoTerminal.productsDirectory.appendingPathComponent("shoptalk").path
    }

    /// Everything `handle` yields until end of file, reading again when a signal interrupts a read, which
    /// Foundation's `readDataToEndOfFile()` answers with a crash.
    static func readToEnd(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(handle.fileDescriptor, &buffer, buffer.count)
            if count > 0 {
                data.append(contentsOf: buffer[..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }

    /// Runs `shoptalk` with `input` on a pipe; returns the exit code, standard output and standard error.
    func run(_ arguments: [String], input: String, environment: [String: String] = [:]) throws
        -> (status: Int32, output: String, error: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--workspace", directory.path] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path].merging(environment) { $1 }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = Self.readToEnd(stdout.fileHandleForReading)
        let error = Self.readToEnd(stderr.fileHandleForReading)
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self)
        )
    }
}
