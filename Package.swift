// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

let package = Package(
    name: "ShopTalk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "shoptalk", targets: ["shoptalk"]),
        .library(name: "ShopTalkKit", targets: ["ShopTalkKit"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "ShopTalkKit",
            dependencies: ["CSQLite", "CCrypto", "CCurl"],
            swiftSettings: strict
        ),
        .target(
            name: "ChatScript",
            dependencies: ["ShopTalkKit"],
            swiftSettings: strict
        ),
        .target(
            name: "ShopTalkShell",
            dependencies: ["ChatScript", "ShopTalkKit", "CEditLine"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "shoptalk",
            dependencies: ["ShopTalkShell", "ChatScript", "ShopTalkKit"],
            swiftSettings: strict
        ),
        .target(
            name: "ShopTalkTestSupport",
            dependencies: ["ShopTalkKit"],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShopTalkKitTests",
            dependencies: ["ShopTalkKit", "ShopTalkTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ChatScriptTests",
            dependencies: ["ChatScript", "ShopTalkTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShopTalkShellTests",
            dependencies: ["ShopTalkShell"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ShopTalkKit"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
