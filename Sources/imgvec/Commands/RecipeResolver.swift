import Foundation
import ImgVec

/// Turns a `--recipe` argument (a preset name or a JSON file) into a recipe.
enum RecipeResolver {
    static func resolve(_ argument: String) throws -> PreprocessingRecipe {
        if argument.hasSuffix(".json") || FileManager.default.fileExists(atPath: argument) {
            return try PreprocessingRecipe.loadAnyJSON(from: URL(fileURLWithPath: argument))
        }
        return try PreprocessingRecipe.preset(named: argument)
    }
}

/// An error printed as is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
