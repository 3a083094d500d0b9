import ArgumentParser
import ImgVec

struct IMGVec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "imgvec", abstract: "Images to vector embeddings.")
}
IMGVec.main()
