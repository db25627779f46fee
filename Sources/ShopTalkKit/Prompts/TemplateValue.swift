import Foundation

/// A JSON-shaped value a prompt template is rendered with.
public enum TemplateValue: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// The member at `key` of an object, `nil` for anything else.
    public subscript(key: String) -> TemplateValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// Whether a section `{{#x}}` renders: false for null, false, empty strings and empty lists.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number: true
        case .string(let text): !text.isEmpty
        case .list(let items): !items.isEmpty
        case .object: true
        }
    }

    /// The text a `{{name}}` placeholder writes.
    public var text: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "true" : "false"
        case .number(let value):
            value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let text): text
        case .list(let items): items.map(\.text).joined(separator: ", ")
        case .object: ""
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([TemplateValue].self) {
            self = .list(value)
        } else {
            self = .object(try container.decode([String: TemplateValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
}

extension TemplateValue {
    /// Appends an unambiguous encoding of the value, objects in key order, for hashing.
    func appendCanonical(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(0x30)
        case .bool(let value): bytes.append(value ? 0x74 : 0x66)
        case .number(let value):
            bytes.append(0x23)
            bytes += String(value).utf8
        case .string(let text):
            bytes.append(0x22)
            bytes += String(text.utf8.count).utf8
            bytes.append(0x3a)
            bytes += text.utf8
        case .list(let items):
            bytes.append(0x5b)
            for item in items { item.appendCanonical(to: &bytes) }
            bytes.append(0x5d)
        case .object(let members):
            bytes.append(0x7b)
            for key in members.keys.sorted() {
                TemplateValue.string(key).appendCanonical(to: &bytes)
                members[key]!.appendCanonical(to: &bytes)
            }
            bytes.append(0x7d)
        }
    }
}
