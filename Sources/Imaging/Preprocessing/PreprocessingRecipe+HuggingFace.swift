import Foundation

extension PreprocessingRecipe {
    /// The recipe of a Hugging Face `preprocessor_config.json` (CLIPImageProcessor,
    /// ViTImageProcessor, ...):
    ///
    /// - `do_resize` (default true) with `size`: `{"shortest_edge": N}` -> shorter side N;
    ///   `{"height": H, "width": W}` -> exact; a bare int N -> shorter side N when `do_center_crop`
    ///   is set (CLIP-style legacy configs), else N×N. `shortest_edge` with `crop_pct`
    ///   (ConvNeXT) -> shorter side `int(N / crop_pct)` then crop N when N < 384, else exact N×N.
    /// - `resample`: Pillow code (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming;
    ///   default 2, ViTImageProcessor's).
    /// - `do_center_crop` with `crop_size` (int or `{height, width}`); HF crops at `(H - h) // 2`
    ///   (``CropRounding/floor``).
    /// - `do_rescale` (default true) / `rescale_factor` (default 1/255); `do_normalize` (default
    ///   true) with `image_mean` / `image_std` (required then). RGB, CHW, EXIF applied
    ///   (`transformers.image_utils.load_image` applies it). `do_convert_rgb` is implied.
    public init(huggingFacePreprocessorConfig data: Data, source: String = "preprocessor_config.json") throws {
        let json = try ConfigurationJSON(data, source: source)
        let doCenterCrop = try json.bool("do_center_crop", default: false)

        var centerCrop: CropSize?
        if doCenterCrop {
            if let side = try? json.int("crop_size") {
                centerCrop = CropSize(side)
            } else if let crop = json.nested("crop_size"), let h = try crop.int("height"), let w = try crop.int("width") {
                centerCrop = CropSize(width: w, height: h)
            } else {
                throw json.fail("do_center_crop is set but crop_size is missing or not an int / {height, width}")
            }
        }

        var resize = Resize.none
        if try json.bool("do_resize", default: true) {
            if let side = try? json.int("size") {
                resize = doCenterCrop ? .shorterSide(side) : .exact(width: side, height: side)
            } else if let size = json.nested("size") {
                if size.has("longest_edge") {
                    throw json.fail("size.longest_edge is not supported (only shortest_edge or height/width)")
                }
                if let edge = try size.int("shortest_edge") {
                    if let cropPct = try json.double("crop_pct") {
                        guard cropPct > 0 else { throw json.fail("crop_pct must be positive") }
                        if edge < 384 {
                            resize = .shorterSide(Int(Double(edge) / cropPct))
                            centerCrop = CropSize(edge)
                        } else {
                            resize = .exact(width: edge, height: edge)
                        }
                    } else {
                        resize = .shorterSide(edge)
                    }
                } else if let h = try size.int("height"), let w = try size.int("width") {
                    resize = .exact(width: w, height: h)
                } else {
                    throw json.fail("size must be an int, {shortest_edge} or {height, width}")
                }
            } else {
                throw json.fail("do_resize is set but size is missing")
            }
        }

        let code = try json.int("resample") ?? Interpolation.bilinear.pillowCode
        guard let interpolation = Interpolation(pillowCode: code) else {
            throw json.fail("resample \(code) is not a Pillow filter code (0...5)")
        }
        let scale = try json.bool("do_rescale", default: true) ? (try json.double("rescale_factor") ?? 1.0 / 255.0) : 1
        var mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1]
        if try json.bool("do_normalize", default: true) {
            guard let m = try json.triple("image_mean"), let s = try json.triple("image_std") else {
                throw json.fail("do_normalize is set but image_mean / image_std are missing")
            }
            mean = m; std = s
        }
        self.init(resize: resize, interpolation: interpolation, centerCrop: centerCrop, cropRounding: .floor,
                  scale: scale, mean: mean, std: std)
        do { try validate() } catch { throw json.fail("\(error)") }
    }

    /// This recipe as a Hugging Face `preprocessor_config.json` (CLIPImageProcessor style).
    /// Throws for what that format cannot express (BGR, HWC, `maxSize`).
    public func huggingFacePreprocessorConfig() throws -> Data {
        guard channelOrder == .rgb, layout == .chw else {
            throw PreprocessingError.unsupportedConfiguration(source: "preprocessor_config.json",
                                                              reason: "only RGB CHW recipes can be expressed")
        }
        func ints(_ pairs: [String: Int]) -> JSONValue { .object(pairs.mapValues { .number(Double($0)) }) }
        var config: [String: JSONValue] = [
            "do_convert_rgb": .bool(true), "resample": .number(Double(interpolation.pillowCode)),
            "do_rescale": .bool(scale != 1), "rescale_factor": .number(scale),
            "do_normalize": .bool(true), "image_mean": .array(mean.map { .number(Double($0)) }),
            "image_std": .array(std.map { .number(Double($0)) }),
        ]
        switch resize {
        case .none: config["do_resize"] = .bool(false)
        case let .shorterSide(size, maxSize):
            guard maxSize == nil else {
                throw PreprocessingError.unsupportedConfiguration(source: "preprocessor_config.json",
                                                                  reason: "maxSize has no equivalent")
            }
            config["do_resize"] = .bool(true); config["size"] = ints(["shortest_edge": size])
        case let .exact(width, height):
            config["do_resize"] = .bool(true); config["size"] = ints(["height": height, "width": width])
        }
        config["do_center_crop"] = .bool(centerCrop != nil)
        if let centerCrop { config["crop_size"] = ints(["height": centerCrop.height, "width": centerCrop.width]) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(config)
    }
}
