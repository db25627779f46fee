/// The replies the built-in responder uses when a prompt version has no `[reply.KEY]` template.
///
/// Keys are intents for ordinary answers and situations (`order_not_found`, `no_article`, …) otherwise.
/// Every value they print comes from the render context the pipeline built from retrieved records.
enum BuiltinReplies {
    static func template(for key: String) -> Template {
        parsed[key] ?? (policyIntents.contains(key) ? parsedPolicyAnswer : parsed["answer"]!)
    }

    /// Every default parsed once: they are fixed, and parsing on each reply showed in profiles.
    private static let parsed: [String: Template] = sources.mapValues { try! Template($0) }
    private static let parsedPolicyAnswer = try! Template(policyAnswer)

    /// Intents answered from the top knowledge-base article, with the order in question when there is one.
    static let policyIntents: Set = [
        "cancel_order", "change_order", "change_shipping_address", "return_item", "return_policy", "refund_policy",
        "cancellation_fee", "delivery_options", "delivery_time", "payment_problem", "payment_methods", "invoice",
        "account_access", "account_update", "warranty", "price_adjustment", "privacy", "promo_code", "complaint",
        "contact_us", "delivery_problem",
    ]

    private static let policyAnswer = """
        {{#order}}{{summary}}
        {{/order}}{{article.body}}{{#follow_up}}
        {{follow_up}}{{/follow_up}}
        """

    private static let sources: [String: String] = [
        "answer": policyAnswer,
        "greeting": """
        Hello{{#customer}} {{first_name}}{{/customer}}! I'm the {{store.name}} assistant. I can track your \
        orders and answer questions about delivery, returns, refunds, payments and our products. How can I help?
        """,
        "thanks": "You're welcome! Is there anything else I can help you with?",
        "goodbye": "Thank you for contacting {{store.name}}. Have a lovely day!",
        "affirm": "Great. What would you like to do next?",
        "deny": "No problem. Is there anything else I can help you with?",
        "track_order": "{{order.summary}}",
        "refund_status": "{{order.summary}} {{order.refund_text}}",
        "order_list": """
        {{#customer}}Here are your most recent orders, {{first_name}}:{{/customer}}
        {{#orders}}- {{order_id}} placed {{placed_date}}: {{status_text}}
        {{/orders}}Which order would you like to know more about?
        """,
        "needs_order_id": """
        I can help with that. Please tell me your order number (it looks like {{order_id_example}}){{^customer}} \
        and sign in, so I can check it is your order{{/customer}}.
        """,
        "needs_sign_in": """
        To look up order {{asked_order_id}} I need to know who you are: please sign in first, so I only show \
        orders to the customer who placed them.
        """,
        "order_not_found": """
        I couldn't find an order {{asked_order_id}} on your account. Please check the number (it looks like \
        {{order_id_example}}) or ask me to connect you with a person.
        """,
        "product_question": """
        {{#product}}{{name}} ({{sku}}) costs {{price_text}} and is {{availability}}. {{description}}{{/product}}\
        {{#other_products}}
        Also: {{name}} ({{sku}}), {{price_text}}, {{availability}}.{{/other_products}}
        """,
        "product_availability": """
        {{#product}}{{name}} ({{sku}}, {{price_text}}) is {{availability}}.{{/product}}\
        {{#other_products}}
        Also: {{name}} ({{sku}}, {{price_text}}) is {{availability}}.{{/other_products}}
        """,
        "no_product": """
        I couldn't find that product in our catalogue. Could you give me its name or SKU (such as \
        {{sku_example}})? I can also connect you with a person.
        """,
        "no_article": """
        I'm sorry, I don't have information about that. Would you like me to connect you with a person who can help?
        """,
        "out_of_scope": """
        I'm sorry, I can only help with {{store.name}} orders, deliveries, returns, refunds, payments, your \
        account and our products. Would you like me to connect you with a person?
        """,
        "handoff": """
        I'm connecting you with a member of our support team (reference {{handoff.id}}). They will see this \
        whole conversation, so you won't need to repeat yourself. {{handoff.next_steps}}
        """,
        "refused_injection": """
        I can't help with that request. I'm here for questions about your {{store.name}} orders, deliveries, \
        returns and products.
        """,
        "rate_limited": """
        You're sending messages faster than I can answer them. Please wait a moment and try again.
        """,
        "policy_blocked": """
        I'm sorry, I can't give a reliable answer to that. Would you like me to connect you with a person?
        """,
    ]
}
