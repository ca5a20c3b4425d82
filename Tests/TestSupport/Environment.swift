import Foundation

/// Where the test scripts put things (scripts/test exports these).
public enum TestEnvironment {
    /// The repository root (the directory holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The Python interpreter of the project's virtualenv (boto3, botocore, phonenumbers),
    /// from `OPTOUT_SYNC_PYTHON`, set by scripts/test via scripts/pyenv.
    public static var python: String? { ProcessInfo.processInfo.environment["OPTOUT_SYNC_PYTHON"] }
}
