/// A representative layer: one Conv (or a MatMul when `kernel == 0`).
struct Layer {
    let name: String
    let channels: Int, height: Int, width: Int
    let outputChannels: Int, kernel: Int, stride: Int, pad: Int, groups: Int
}

/// The layers timed by kernel-bench and scripts/bench_layers.py (keep the two lists equal).
let layers: [Layer] = [
    Layer(name: "r18.conv1 7x7/2 3->64 @224", channels: 3, height: 224, width: 224, outputChannels: 64, kernel: 7, stride: 2, pad: 3, groups: 1),
    Layer(name: "r18 3x3 64->64 @56", channels: 64, height: 56, width: 56, outputChannels: 64, kernel: 3, stride: 1, pad: 1, groups: 1),
    Layer(name: "r18 3x3/2 128->256 @28", channels: 128, height: 28, width: 28, outputChannels: 256, kernel: 3, stride: 2, pad: 1, groups: 1),
    Layer(name: "r18 1x1/2 256->512 @14", channels: 256, height: 14, width: 14, outputChannels: 512, kernel: 1, stride: 2, pad: 0, groups: 1),
    Layer(name: "r18 3x3 512->512 @7", channels: 512, height: 7, width: 7, outputChannels: 512, kernel: 3, stride: 1, pad: 1, groups: 1),
    Layer(name: "eb0 dw3/2 96 @112", channels: 96, height: 112, width: 112, outputChannels: 96, kernel: 3, stride: 2, pad: 1, groups: 96),
    Layer(name: "eb0 dw3 144 @56", channels: 144, height: 56, width: 56, outputChannels: 144, kernel: 3, stride: 1, pad: 1, groups: 144),
    Layer(name: "eb0 dw5/2 144 @56", channels: 144, height: 56, width: 56, outputChannels: 144, kernel: 5, stride: 2, pad: 2, groups: 144),
    Layer(name: "eb0 dw5 240 @28", channels: 240, height: 28, width: 28, outputChannels: 240, kernel: 5, stride: 1, pad: 2, groups: 240),
    Layer(name: "eb0 dw3 480 @14", channels: 480, height: 14, width: 14, outputChannels: 480, kernel: 3, stride: 1, pad: 1, groups: 480),
    Layer(name: "eb0 dw5 672 @14", channels: 672, height: 14, width: 14, outputChannels: 672, kernel: 5, stride: 1, pad: 2, groups: 672),
    Layer(name: "eb0 1x1 16->96 @112", channels: 16, height: 112, width: 112, outputChannels: 96, kernel: 1, stride: 1, pad: 0, groups: 1),
    Layer(name: "eb0 1x1 144->24 @56", channels: 144, height: 56, width: 56, outputChannels: 24, kernel: 1, stride: 1, pad: 0, groups: 1),
    Layer(name: "eb0 1x1 240->40 @28", channels: 240, height: 28, width: 28, outputChannels: 40, kernel: 1, stride: 1, pad: 0, groups: 1),
    Layer(name: "eb0 1x1 112->672 @14", channels: 112, height: 14, width: 14, outputChannels: 672, kernel: 1, stride: 1, pad: 0, groups: 1),
    Layer(name: "eb0 1x1 320->1280 @7", channels: 320, height: 7, width: 7, outputChannels: 1280, kernel: 1, stride: 1, pad: 0, groups: 1),
    Layer(name: "fc matmul 512->1000", channels: 512, height: 1, width: 1, outputChannels: 1000, kernel: 0, stride: 1, pad: 0, groups: 1),
]
