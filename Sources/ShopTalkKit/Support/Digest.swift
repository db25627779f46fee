import CCrypto
import Foundation

/// SHA-256 digests through OpenSSL's libcrypto.
public enum Digest {
    /// The SHA-256 of `data` as lowercase hex.
    public static func sha256Hex(_ data: Data) -> String {
        sha256(data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The SHA-256 of the UTF-8 bytes of `text` as lowercase hex.
    public static func sha256Hex(_ text: String) -> String {
        sha256Hex(Data(text.utf8))
    }

    /// The raw 32-byte SHA-256 of `data`.
    public static func sha256(_ data: Data) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = data.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(status == 1, "libcrypto could not compute SHA-256")
        return Array(digest.prefix(Int(length)))
    }
}
