/// A problem with how `shoptalk` was called; exits with code 2.
package struct UsageError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
