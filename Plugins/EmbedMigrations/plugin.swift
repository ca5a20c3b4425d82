import Foundation
import PackagePlugin

/// Embeds `sql/*.sql` into the SyncStore module at build time, so the `optout-sync` binary applies
/// its migrations without the source tree and without a resource bundle beside the executable
/// (SwiftPM resource bundles on Linux must sit next to the binary, which breaks a copied install).
/// `sql/` stays the single source; the generated Swift file lives only in the build directory.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sqlDirectory = context.package.directoryURL.appending(path: "sql")
        let files = try FileManager.default.contentsOfDirectory(at: sqlDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migrations from sql/",
                executable: try context.tool(named: "EmbedMigrationsTool").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
