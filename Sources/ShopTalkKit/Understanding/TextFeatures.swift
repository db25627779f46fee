import Foundation

/// Turns a message into hashed word and character n-gram counts.
///
/// Hashing instead of an explicit string vocabulary keeps extraction allocation-light and lets a trained model
/// store its vocabulary as a sorted array of 32-bit keys, which loads without building a dictionary.
struct TextFeatures: Sendable, Hashable {
    /// How many earlier words each word is paired with.
    static let pairWindow = 12
    /// Bytes of each word that count in a pair.
    static let pairPrefixLength = 5

    /// Shortest and longest character n-gram taken inside each padded word.
    var characterGrams: ClosedRange<Int>
    /// Whether adjacent word pairs are features too.
    var wordBigrams: Bool
    /// Whether runs of three words are features too.
    var wordTrigrams: Bool
    /// Whether unordered pairs of words up to `pairWindow` apart are features too (adjacent ones are left to
    /// bigrams); they let a linear model see combinations such as "change" with "name", which words miss.
    var wordPairs: Bool
    /// Whether character n-grams run across word boundaries instead of staying inside padded words.
    var crossWordCharacters: Bool

    /// The switches above as bits, for serialization.
    var flags: UInt32 {
        (wordBigrams ? 1 : 0) | (wordTrigrams ? 2 : 0) | (wordPairs ? 4 : 0) | (crossWordCharacters ? 8 : 0)
    }

    /// Settings from `characterGrams` and the bits of `flags`.
    init(characterGrams: ClosedRange<Int>, flags: UInt32) {
        self.characterGrams = characterGrams
        wordBigrams = flags & 1 != 0
        wordTrigrams = flags & 2 != 0
        wordPairs = flags & 4 != 0
        crossWordCharacters = flags & 8 != 0
    }

    /// Settings with the given switches.
    init(
        characterGrams: ClosedRange<Int> = 2...5, wordBigrams: Bool = true, wordTrigrams: Bool = false,
        wordPairs: Bool = true, crossWordCharacters: Bool = false
    ) {
        self.characterGrams = characterGrams
        self.wordBigrams = wordBigrams
        self.wordTrigrams = wordTrigrams
        self.wordPairs = wordPairs
        self.crossWordCharacters = crossWordCharacters
    }

    /// The group a feature key belongs to; groups are weighted and normalised separately.
    enum Group: UInt32, CaseIterable {
        case word = 0
        case character = 1
        case pair = 2
    }

    /// A feature key and how often it occurs in one message.
    struct Count: Hashable {
        /// The hashed n-gram, its group in the lowest two bits.
        var key: UInt32
        /// Occurrences in the message.
        var count: Float
    }

    /// The group encoded in the lowest two bits of a feature key.
    static func group(of key: UInt32) -> Group {
        Group(rawValue: key & 3) ?? .word
    }

    /// The distinct feature keys of `text` with their counts, sorted by key.
    func counts(of text: String) -> [Count] {
        let words = TextFeatures.words(of: text)
        var keys: [UInt32] = []
        keys.reserveCapacity(words.reduce(0) { $0 + $1.count * 4 } + words.count * 2)
        var hashes: [UInt64] = []
        var stems: [UInt64] = []
        for word in words {
            let wordHash = FNV.hash(word, seed: FNV.wordSeed)
            keys.append(Self.key(wordHash, .word))
            let count = hashes.count
            if wordBigrams, count >= 1 {
                keys.append(Self.key(FNV.combine(hashes[count - 1], wordHash), .word))
            }
            if wordTrigrams, count >= 2 {
                keys.append(Self.key(FNV.combine(FNV.combine(hashes[count - 2], hashes[count - 1]), wordHash), .word))
            }
            if wordPairs {
                // Pairs see past inflections through a short prefix, and ignore order so that
                // "card not arrived" and "not arrived my card" share evidence.
                let stem = FNV.hash(Array(word.prefix(Self.pairPrefixLength)), seed: FNV.wordSeed)
                for earlier in stems.suffix(Self.pairWindow).dropLast(wordBigrams ? 1 : 0) where earlier != stem {
                    let (low, high) = earlier < stem ? (earlier, stem) : (stem, earlier)
                    keys.append(Self.key(FNV.combine(low ^ 0x5041_4952, high), .pair))
                }
                stems.append(stem)
            }
            hashes.append(wordHash)
            if !crossWordCharacters {
                appendCharacterGrams(of: word, to: &keys)
            }
        }
        if crossWordCharacters, !words.isEmpty {
            appendCharacterGrams(of: Array(words.joined(separator: [0x20])), to: &keys)
        }
        keys.sort()
        var result: [Count] = []
        result.reserveCapacity(keys.count)
        for key in keys {
            if let last = result.last, last.key == key {
                result[result.count - 1].count += 1
            } else {
                result.append(Count(key: key, count: 1))
            }
        }
        return result
    }

    private func appendCharacterGrams(of word: [UInt8], to keys: inout [UInt32]) {
        // A space on each side marks word starts and ends, which carry much of the signal in short messages.
        let padded = [0x20] + word + [0x20]
        let shortest = characterGrams.lowerBound
        let longest = characterGrams.upperBound
        padded.withUnsafeBufferPointer { bytes in
            for start in 0..<bytes.count {
                var hash = FNV.characterSeed
                let end = min(bytes.count, start + longest)
                for index in start..<end {
                    hash = FNV.step(hash, bytes[index])
                    if index - start + 1 >= shortest {
                        keys.append(Self.key(hash, .character))
                    }
                }
            }
        }
    }

    private static func key(_ hash: UInt64, _ group: Group) -> UInt32 {
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        return (folded & ~3) | group.rawValue
    }
}

extension TextFeatures {
    /// Lower-cased, accent-folded words with contractions expanded, as UTF-8 bytes.
    static func words(of text: String) -> [[UInt8]] {
        let folded =
            text.utf8.allSatisfy { $0 < 0x80 }
            ? text.lowercased()
            : text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
                .lowercased()
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        func flush() {
            guard !current.isEmpty else { return }
            appendExpanded(current, to: &words)
            current.removeAll(keepingCapacity: true)
        }
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(contentsOf: Array(String(scalar).utf8))
            } else if apostrophes.contains(scalar.value), !current.isEmpty {
                current.append(0x27)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    private static let apostrophes: Set<UInt32> = [0x27, 0x60, 0xB4, 0x2018, 0x2019]

    private static func appendExpanded(_ raw: [UInt8], to words: inout [[UInt8]]) {
        var word = raw
        while word.last == 0x27 {
            word.removeLast()
        }
        guard !word.isEmpty else { return }
        if let whole = contractions[word] {
            words.append(contentsOf: whole)
            return
        }
        if let apostrophe = word.firstIndex(of: 0x27) {
            let stem = Array(word[..<apostrophe])
            let suffix = Array(word[(apostrophe + 1)...]).filter { $0 != 0x27 }
            if suffix == Array("t".utf8), stem.last == UInt8(ascii: "n") {
                words.append(Array(stem.dropLast()))
                words.append(Array("not".utf8))
            } else if let expansion = suffixes[suffix] {
                if !stem.isEmpty { words.append(stem) }
                if !expansion.isEmpty { words.append(expansion) }
            } else {
                words.append(stem + suffix)
            }
            return
        }
        words.append(word)
    }

    /// Possessive `'s` is dropped; the other suffixes become the word they stand for.
    private static let suffixes: [[UInt8]: [UInt8]] = {
        let table = ["s": "", "re": "are", "m": "am", "ll": "will", "ve": "have", "d": "would"]
        return Dictionary(uniqueKeysWithValues: table.map { (Array($0.key.utf8), Array($0.value.utf8)) })
    }()

    /// Whole-word forms, including the common apostrophe-less spellings of chat messages.
    private static let contractions: [[UInt8]: [[UInt8]]] = {
        let table: [String: String] = [
            "can't": "can not", "cant": "can not", "cannot": "can not", "won't": "will not", "wont": "will not",
            "don't": "do not", "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
            "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not", "hasnt": "has not",
            "hadnt": "had not", "couldnt": "could not", "shouldnt": "should not", "wouldnt": "would not",
            "what's": "what is", "whats": "what is", "it's": "it is", "that's": "that is", "thats": "that is",
            "there's": "there is", "here's": "here is", "who's": "who is", "where's": "where is", "how's": "how is",
            "when's": "when is", "let's": "let us", "i'm": "i am", "im": "i am", "ive": "i have", "youre": "you are",
        ]
        var result: [[UInt8]: [[UInt8]]] = [:]
        for (form, expansion) in table {
            result[Array(form.utf8)] = expansion.split(separator: " ").map { Array($0.utf8) }
        }
        return result
    }()
}

/// 64-bit FNV-1a, chosen because it is stable across processes, unlike `Hasher`.
private enum FNV {
    static let wordSeed: UInt64 = 0xcbf2_9ce4_8422_2325
    static let characterSeed: UInt64 = 0x8422_2325_cbf2_9ce4
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    static func hash(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        bytes.reduce(seed) { step($0, $1) }
    }

    static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        var hash = first &* 0x9E37_79B9_7F4A_7C15
        for shift in stride(from: 0, to: 64, by: 8) {
            hash = step(hash, UInt8(truncatingIfNeeded: second >> UInt64(shift)))
        }
        return hash
    }
}
