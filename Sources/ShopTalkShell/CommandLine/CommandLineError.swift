/// A problem with how `shoptalk` was called; exits with code 2.
package struct UsageError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// An argument naming a file that cannot be used, such as an output path in a missing directory; exits with
/// code 2 like other bad input, without the usage text.
package struct BadArgument: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
