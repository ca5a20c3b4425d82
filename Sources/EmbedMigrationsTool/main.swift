import Foundation

// Writes a Swift file holding each SQL file's name and text: EmbedMigrationsTool OUTPUT FILE...
// Used by the EmbedMigrations build plugin (see Plugins/EmbedMigrations/plugin.swift).
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrationsTool OUTPUT FILE...\n".utf8))
    exit(64)
}
var source = "// Generated from sql/*.sql by the EmbedMigrations plugin. Do not edit.\n"
source += "enum EmbeddedMigrations {\n    static let files: [(name: String, sql: String)] = [\n"
for path in arguments.dropFirst() {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    // A raw-string delimiter longer than any run of '#' in the text, so nothing inside is special.
    var longest = 0, run = 0
    for c in text { if c == "#" { run += 1; longest = max(longest, run) } else { run = 0 } }
    let hashes = String(repeating: "#", count: longest + 1)
    let name = URL(fileURLWithPath: path).lastPathComponent
    source += "        (\"\(name)\", \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)),\n"
}
source += "    ]\n}\n"
try source.write(toFile: output, atomically: true, encoding: .utf8)
