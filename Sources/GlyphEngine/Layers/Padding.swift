/// How a convolution treats the border of its input.
public enum Padding: Sendable {
    /// No padding: the kernel only visits positions fully inside the input.
    case valid
    /// Zero padding so that the output has `ceil(size / stride)` rows and columns, split as
    /// TensorFlow does (the extra row or column, if any, at the bottom/right); with stride 1
    /// this is PyTorch's `padding="same"`.
    case same
}
