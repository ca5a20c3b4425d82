import CCrypto

/// SHA-256 and HMAC-SHA256 from libcrypto, the two primitives SigV4 needs.
/// Used by the AWS client's signer and, independently, by the emulator's verifier.
public enum SHA256 {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            _ = CCrypto.SHA256(input.baseAddress, input.count, &out)
        }
        return out
    }

    public static func hash(_ string: String) -> [UInt8] { hash(Array(string.utf8)) }

    /// Lower-case hex of the digest, as SigV4 writes it.
    public static func hexHash(_ bytes: [UInt8]) -> String { hash(bytes).hexString }
    public static func hexHash(_ string: String) -> String { hash(string).hexString }
}

public enum HMACSHA256 {
    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    public static func authenticate(key: [UInt8], message: String) -> [UInt8] {
        authenticate(key: key, message: Array(message.utf8))
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal rendering.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        chars.reserveCapacity(64)
        for byte in self {
            chars.append(digits[Int(byte >> 4)])
            chars.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}
