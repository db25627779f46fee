import Foundation

extension IntentClassifier {
    private static let magic: [UInt8] = Array("STIC".utf8)
    private static let formatVersion: UInt32 = 3

    /// A compact little-endian binary form: header, labels, vocabulary, weights, then a checksum.
    public func serialized() -> Data {
        var writer = BinaryWriter()
        writer.bytes(Self.magic)
        writer.scalar(Self.formatVersion)
        writer.scalar(UInt32(features.characterGrams.lowerBound))
        writer.scalar(UInt32(features.characterGrams.upperBound))
        writer.scalar(features.flags)
        writer.scalar(UInt32(embeddingDimensions))
        writer.scalar(embeddingWeight.bitPattern)
        writer.scalar(threshold.bitPattern)
        writer.scalar(temperature.bitPattern)
        writer.scalar(UInt32(labels.count))
        writer.scalar(UInt32(inScopeCount))
        for label in labels {
            let utf8 = Array(label.utf8)
            writer.scalar(UInt32(utf8.count))
            writer.bytes(utf8)
        }
        writer.array(vocabulary.groupWeights)
        writer.array(vocabulary.keys)
        writer.array(vocabulary.idf)
        writer.array(model.codes)
        writer.array(model.scales)
        writer.array(model.bias)
        writer.scalar(Checksum.of(writer.data))
        return writer.data
    }

    /// Loads a classifier written by `serialized()`.
    public init(serialized data: Data) throws {
        var reader = BinaryReader(data: data)
        guard data.count >= 8, try reader.bytes(Self.magic.count) == Self.magic else {
            throw IntentClassifierError.notAClassifier
        }
        let version: UInt32 = try reader.scalar()
        guard version == Self.formatVersion else {
            throw IntentClassifierError.unsupportedVersion(Int(version))
        }
        guard data.count >= 16 else { throw IntentClassifierError.truncated }
        let body = data.prefix(data.count - 8)
        var trailer = BinaryReader(data: data.suffix(8))
        guard try trailer.scalar() as UInt64 == Checksum.of(body) else {
            throw IntentClassifierError.checksumMismatch
        }
        reader = BinaryReader(data: body, offset: reader.offset)
        let shortest = Int(try reader.scalar() as UInt32)
        let longest = Int(try reader.scalar() as UInt32)
        let flags: UInt32 = try reader.scalar()
        let dimensions = Int(try reader.scalar() as UInt32)
        let embeddingWeight = Float(bitPattern: try reader.scalar())
        let threshold = Double(bitPattern: try reader.scalar())
        let temperature = Double(bitPattern: try reader.scalar())
        let labelCount = Int(try reader.scalar() as UInt32)
        let inScopeCount = Int(try reader.scalar() as UInt32)
        guard shortest >= 1, shortest <= longest, longest <= 16, inScopeCount <= labelCount,
            labelCount <= data.count, dimensions <= data.count, temperature > 0, embeddingWeight.isFinite
        else {
            throw IntentClassifierError.inconsistent("bad header")
        }
        var labels: [String] = []
        for _ in 0..<labelCount {
            let length = Int(try reader.scalar() as UInt32)
            labels.append(String(decoding: try reader.bytes(length), as: UTF8.self))
        }
        let groupWeights: [Float] = try reader.array()
        let keys: [UInt32] = try reader.array()
        let idf: [Float] = try reader.array()
        let codes: [Int8] = try reader.array()
        let scales: [Float] = try reader.array()
        let bias: [Float] = try reader.array()
        guard groupWeights.count == TextFeatures.Group.allCases.count, idf.count == keys.count,
            codes.count == (keys.count + dimensions) * labelCount, scales.count == keys.count + dimensions,
            bias.count == labelCount,
            reader.isAtEnd
        else {
            throw IntentClassifierError.inconsistent("section sizes do not match")
        }
        self.init(
            labels: labels, inScopeCount: inScopeCount,
            features: TextFeatures(characterGrams: shortest...longest, flags: flags),
            vocabulary: FeatureVocabulary(keys: keys, idf: idf, groupWeights: groupWeights),
            model: QuantizedWeights(classCount: labelCount, codes: codes, scales: scales, bias: bias),
            temperature: temperature, threshold: threshold
        )
        embeddingDimensions = dimensions
        self.embeddingWeight = embeddingWeight
    }
}

/// Appends little-endian scalars and arrays; arrays are copied in bulk because every supported host is
/// little-endian, which keeps loading a model a memory copy.
private struct BinaryWriter {
    var data = Data()

    mutating func bytes(_ bytes: [UInt8]) {
        data.append(contentsOf: bytes)
    }

    mutating func scalar<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func array<Element: BitwiseCopyable>(_ elements: [Element]) {
        scalar(UInt64(elements.count))
        elements.withUnsafeBytes { data.append(contentsOf: $0) }
    }
}

/// Reads what `BinaryWriter` wrote, throwing instead of reading past the end.
private struct BinaryReader {
    let data: Data
    var offset: Int

    init(data: Data, offset: Int = 0) {
        self.data = Data(data)
        self.offset = offset
    }

    var isAtEnd: Bool { offset == data.count }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= data.count - offset else { throw IntentClassifierError.truncated }
        defer { offset += count }
        return Array(data[offset..<offset + count])
    }

    mutating func scalar<Value: FixedWidthInteger>() throws -> Value {
        let size = MemoryLayout<Value>.size
        guard size <= data.count - offset else { throw IntentClassifierError.truncated }
        defer { offset += size }
        return data.withUnsafeBytes { raw in
            Value(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Value.self))
        }
    }

    mutating func array<Element: BitwiseCopyable>() throws -> [Element] {
        let count = try scalar() as UInt64
        let stride = MemoryLayout<Element>.stride
        guard count <= UInt64(data.count - offset) / UInt64(stride) else { throw IntentClassifierError.truncated }
        let byteCount = Int(count) * stride
        defer { offset += byteCount }
        return [Element](unsafeUninitializedCapacity: Int(count)) { buffer, initialized in
            data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + byteCount])
                )
            }
            initialized = Int(count)
        }
    }
}

/// A word-at-a-time mixing checksum: fast enough to verify a multi-megabyte model in well under a millisecond.
private enum Checksum {
    static func of(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { raw in
            var hash: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(raw.count)
            let words = raw.count / 8
            for index in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
                hash ^= hash >> 29
            }
            for index in (words * 8)..<raw.count {
                hash = (hash ^ UInt64(raw[index])) &* 0x0000_0100_0000_01B3
            }
            return hash
        }
    }
}
