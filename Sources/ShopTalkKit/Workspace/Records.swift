import Foundation

/// A customer of the store.
public struct Customer: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var email: String
    public var phone: String
    public var postcode: String
}

/// One line of an order: a SKU and a quantity.
public struct OrderLine: Codable, Sendable, Hashable {
    public var sku: String
    public var quantity: Int
}

/// An order as the order database holds it.
public struct Order: Codable, Sendable, Hashable {
    public var id: String
    public var customerID: String
    public var status: String
    public var placedAt: String
    public var updatedAt: String
    public var carrier: String
    public var tracking: String
    public var eta: String
    public var total: String
    public var currency: String
    public var items: [OrderLine]
    /// A hash of the row, so a cached answer about a changed order is never served.
    public var version: String

    /// The statuses an order may have.
    public static let statuses = [
        "placed", "paid", "packed", "shipped", "out_for_delivery", "delivered", "cancelled", "return_requested",
        "returned", "refunded",
    ]

    /// The status in words a customer reads.
    public var statusText: String {
        switch status {
        case "placed": "placed and awaiting payment confirmation"
        case "paid": "paid and being prepared in our warehouse"
        case "packed": "packed and waiting for collection by the carrier"
        case "shipped": "on its way"
        case "out_for_delivery": "out for delivery"
        case "delivered": "delivered"
        case "cancelled": "cancelled"
        case "return_requested": "awaiting your return"
        case "returned": "returned to us"
        case "refunded": "refunded"
        default: status.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// Parses `SKU x2; SKU x1`.
    public static func parseItems(_ text: String) -> [OrderLine]? {
        var lines: [OrderLine] = []
        for part in text.split(separator: ";") {
            let words = part.split(separator: " ")
            guard let sku = words.first else { continue }
            var quantity = 1
            if words.count > 1 {
                guard let count = Int(words[1].drop(while: { $0 == "x" || $0 == "X" })) else { return nil }
                quantity = count
            }
            lines.append(OrderLine(sku: String(sku), quantity: quantity))
        }
        return lines
    }
}

/// A catalogue item.
public struct Product: Codable, Sendable, Hashable {
    public var sku: String
    public var name: String
    public var category: String
    public var price: String
    public var currency: String
    public var stock: Int
    public var description: String
    public var version: String

    /// Stock in words.
    public var availability: String {
        switch stock {
        case ..<1: "out of stock"
        case 1...5: "in stock, only \(stock) left"
        default: "in stock"
        }
    }
}

/// One FAQ or policy article of the knowledge base.
public struct Article: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    public var body: String
    public var file: String
    public var line: Int
    public var version: String
    /// Intents the article is marked as the main answer to.
    public var intents: [String] = []
}
