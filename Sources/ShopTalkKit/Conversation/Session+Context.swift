import Foundation

extension Session {
    /// The values every reply can use: the store, the customer, the message.
    func baseContext(message: String) -> [String: TemplateValue] {
        var context: [String: TemplateValue] = [
            "store": ["name": .string(engine.config.name)],
            "message": .string(message),
            "order_id_example": .string(engine.examples.orderID),
            "sku_example": .string(engine.examples.sku),
            "today": .string(String(Self.timestamp(now).prefix(10))),
        ]
        if let customer {
            context["customer"] = [
                "id": .string(customer.id), "name": .string(customer.name),
                "first_name": .string(String(customer.name.split(separator: " ").first ?? "")),
            ]
        }
        return context
    }

    /// The full render context of a turn: base values, history, entities and everything retrieved.
    func renderContext(
        message: String, intent: String, entities: [Entity], retrieval: Retrieval, situation: String
    ) -> TemplateValue {
        var context = baseContext(message: message)
        let today = String(Self.timestamp(now).prefix(10))
        context["intent"] = .string(intent)
        context["situation"] = .string(situation)
        context["entities"] = .list(entities.map { ["kind": .string($0.kind), "value": .string($0.value)] })
        if let asked = retrieval.askedOrderID { context["asked_order_id"] = .string(asked) }
        if let order = retrieval.order {
            context["order"] = Self.value(of: order, today: today)
        }
        let listed = retrieval.orders.isEmpty ? (retrieval.order.map { [$0] } ?? []) : retrieval.orders
        context["orders"] = .list(listed.map { Self.value(of: $0, today: today) })
        context["articles"] = .list(
            retrieval.articles.map { hit in
                ["id": .string(hit.article.id), "title": .string(hit.article.title), "body": .string(hit.article.body)]
            })
        if let top = retrieval.articles.first {
            context["article"] = [
                "id": .string(top.article.id), "title": .string(top.article.title),
                "body": .string(top.article.body),
            ]
        }
        context["products"] = .list(retrieval.products.map(Self.value(of:)))
        if let product = retrieval.products.first { context["product"] = Self.value(of: product) }
        context["other_products"] = .list(retrieval.products.dropFirst().map(Self.value(of:)))
        context["history"] = .list(
            turns.suffix(6).map { earlier in
                ["user": .string(earlier.message), "assistant": .string(earlier.reply)]
            })
        if retrieval.order != nil, ["cancel_order", "change_order", "change_shipping_address"].contains(intent) {
            context["follow_up"] = "I can't change orders myself, but I can connect you with a person who can."
        }
        return .object(context)
    }

    /// A reply composed by the built-in responder for `key`, with the prompt's template when it has one.
    func reply(for key: String, context: [String: TemplateValue]) -> String {
        reply(for: key, context: .object(context))
    }

    func reply(for key: String, context: TemplateValue) -> String {
        let grounding = Grounding(intent: key, template: nil, context: context)
        let request = ModelRequest(messages: [], grounding: grounding)
        if let template = prompt.replies[key] {
            return BuiltinModel.tidy(template.render(context))
        }
        return BuiltinModel().respond(request).text
    }

    /// An order as templates see it; `today` (yyyy-mm-dd) tells an overdue delivery from a due one.
    static func value(of order: Order, today: String) -> TemplateValue {
        let symbol = currencySymbol(order.currency)
        var summary = "Your order \(order.id) is \(order.statusText)."
        let finished = ["delivered", "return_requested", "returned", "refunded"].contains(order.status)
        if !order.carrier.isEmpty {
            summary += finished ? " It was sent with \(order.carrier)" : " It is with \(order.carrier)"
            summary += order.tracking.isEmpty ? "." : ", tracking number \(order.tracking)."
        }
        if !order.eta.isEmpty {
            switch order.status {
            case "delivered", "return_requested", "returned", "refunded":
                summary += " It was delivered on \(order.eta)."
            case "cancelled": break
            default:
                summary +=
                    order.eta < today
                    ? " It was due on \(order.eta) and is running late." : " Expected delivery: \(order.eta)."
            }
        }
        let refund: String
        switch order.status {
        case "refunded": refund = "The refund of \(symbol)\(order.total) was issued on \(order.updatedAt.prefix(10))."
        case "returned":
            refund = "We have received the return and the refund of \(symbol)\(order.total) is being processed."
        case "return_requested": refund = "The refund is issued once we receive the returned items."
        case "cancelled":
            refund = "As the order was cancelled, any payment taken is refunded to the original payment method."
        default: refund = "There is no refund on this order."
        }
        return [
            "order_id": .string(order.id), "status": .string(order.status), "status_text": .string(order.statusText),
            "carrier": .string(order.carrier), "tracking": .string(order.tracking), "eta": .string(order.eta),
            "placed_at": .string(order.placedAt), "placed_date": .string(String(order.placedAt.prefix(10))),
            "updated_at": .string(order.updatedAt), "total": .string(order.total), "currency": .string(order.currency),
            "total_text": .string(symbol + order.total), "summary": .string(summary), "refund_text": .string(refund),
            "items": .list(order.items.map { ["sku": .string($0.sku), "quantity": .number(Double($0.quantity))] }),
        ]
    }

    static func value(of product: Product) -> TemplateValue {
        [
            "sku": .string(product.sku), "name": .string(product.name), "category": .string(product.category),
            "price": .string(product.price), "currency": .string(product.currency),
            "price_text": .string(currencySymbol(product.currency) + product.price),
            "stock": .number(Double(product.stock)), "availability": .string(product.availability),
            "description": .string(product.description),
        ]
    }

    static func currencySymbol(_ code: String) -> String {
        ["GBP": "£", "EUR": "€", "USD": "$"][code.uppercased()] ?? (code.isEmpty ? "" : code + " ")
    }
}
