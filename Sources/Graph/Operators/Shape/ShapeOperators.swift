/// Registers the shape operator family: Shape, Size, Reshape, Flatten, Squeeze,
/// Unsqueeze, Identity, Dropout, Transpose, Concat, Split, Slice, Gather, Expand,
/// Tile, ConstantOfShape and Range.
func registerShapeOperators(in registry: OperatorRegistry) {
    registry.register("Shape") { ShapeOperator($0, sizeOnly: false) }
    registry.register("Size") { ShapeOperator($0, sizeOnly: true) }
    registry.register("Reshape") { ReinterpretingOperator($0, kind: .reshape) }
    registry.register("Flatten") { ReinterpretingOperator($0, kind: .flatten) }
    registry.register("Squeeze") { ReinterpretingOperator($0, kind: .squeeze) }
    registry.register("Unsqueeze") { ReinterpretingOperator($0, kind: .unsqueeze) }
    registry.register("Identity") { ReinterpretingOperator($0, kind: .identity) }
    registry.register("Dropout") { DropoutOperator($0) }
    registry.register("Transpose") { try TransposeOperator($0) }
    registry.register("Concat") { try ConcatOperator($0) }
    registry.register("Split") { try SplitOperator($0) }
    registry.register("Slice") { SliceOperator($0) }
    registry.register("Gather") { try GatherOperator($0) }
    registry.register("Expand") { ExpandOperator($0) }
    registry.register("Tile") { TileOperator($0) }
    registry.register("ConstantOfShape") { try ConstantOfShapeOperator($0) }
    registry.register("Range") { RangeOperator($0) }
}
