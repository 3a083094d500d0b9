import ArgumentParser
import Foundation
import ImgVec

/// `imgvec embed PATH... --model MODEL`: images to vectors, in a file or the store.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed images, folders (recursively) or paths from stdin (-).",
        discussion: """
        Vectors go to --output FILE (.npy + FILE.paths.txt, .jsonl or .csv; rows in the order the
        paths were given, sorted by path within a folder) or, without --output, into the store.
        Store runs are incremental: files whose size and modification time are unchanged are
        skipped; after a crash or Ctrl-C a re-run finishes the job.
        Folders contribute files with image extensions (\(InputCollector.imageExtensions.sorted().joined(separator: ", ")));
        files named directly are always tried (the format is detected from the bytes).

        Exit status: 0 all files embedded (or skipped); 3 the run finished but some files failed
        (each reported as `path: reason` on stderr, and in --errors FILE as JSON lines);
        1 a fatal error (bad model, unwritable output...); 130 interrupted (everything written
        before the interrupt is kept).

        Examples: imgvec embed ~/Photos
                  imgvec embed ~/Photos --model resnet50 -o vectors.npy
                  imgvec embed ~/Photos --model resnet18.onnx --pooling avg --normalize
        """
    )

    @Argument(help: "Image files, folders, or - to read paths from stdin.")
    var paths: [String]

    @Option(help: "A model preset (`imgvec models list`), an ONNX file. Default: \(ModelPreset.defaultName).")
    var model: String?

    @Option(help: "Preprocessing recipe: a preset name or a JSON file. Default: the model preset's, else torchvision.")
    var recipe: String?

    @Option(help: "Model value to read (default: the model's output).")
    var node: String?

    @Option(help: "Pooling of a feature map: \(Pooling.allCases.map(\.rawValue).joined(separator: ", ")). Default: the preset's, else none (the output as is).")
    var pooling: Pooling?

    @Flag(help: "L2-normalise every vector.")
    var normalize = false

    @Option(name: .shortAndLong, help: "Write vectors to this file (.npy, .jsonl or .csv) instead of the store.")
    var output: String?

    @OptionGroup var store: StoreOptions

    @Option(help: "Images per inference batch.")
    var batch = EmbeddingOptions.defaultBatchSize

    @Option(help: "Inference threads (default: one per core).")
    var threads: Int?

    @Option(help: "Decoding threads (default: one per core).")
    var decodeThreads: Int?

    @Option(help: "Also log failed files to this file, one JSON object per line.")
    var errors: String?

    @Flag(help: "Decode large JPEGs at a reduced DCT scale (faster; vectors move slightly, see README).")
    var fastJPEG = false

    @Flag(name: .shortAndLong, help: "No progress bar and no summary line.")
    var quiet = false

    func run() throws {
        let run = try EmbedRun(command: self)
        let status = try run.execute()
        if status != 0 { throw ExitCode(status) }
    }
}

extension Pooling: ExpressibleByArgument {}
