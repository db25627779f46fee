import Foundation
import ShopTalkShell

StandardOutput.flushEachLine()
exit(await ShopTalkCommand.main(Array(CommandLine.arguments.dropFirst())))
