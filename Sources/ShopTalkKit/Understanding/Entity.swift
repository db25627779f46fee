/// Something named in a message: an order id, a product, an email address, a date…
public struct Entity: Codable, Sendable, Hashable {
    /// `order_id`, `sku`, `product`, `email`, `phone`, `date`, `amount`, `quantity`, or a configured kind.
    public var kind: String
    /// The canonical value (`HL-482913`, `2026-12-03`, `12.50 GBP`).
    public var value: String
    /// The text as the customer wrote it.
    public var text: String

    public init(kind: String, value: String, text: String) {
        self.kind = kind
        self.value = value
        self.text = text
    }
}

extension Array where Element == Entity {
    /// The value of the first entity of `kind`.
    public func first(_ kind: String) -> String? {
        first { $0.kind == kind }?.value
    }

    /// The values of every entity of `kind`, in order.
    public func all(_ kind: String) -> [String] {
        filter { $0.kind == kind }.map(\.value)
    }
}
