/// A layer whose output can overwrite its input, and whose input gradient can overwrite its
/// output gradient (elementwise layers such as ReLU).
///
/// `Sequential` calls these variants on the tensor it just received from the previous layer:
/// when nothing else references that storage, no second activation is allocated (Koch's first
/// ReLU alone saves 600 MB at 256 images). When something else does (a caller's input, a
/// layer that cached its output), copy-on-write makes a copy first, so results never change.
/// `forward(_:training:)` and `backward(_:)` stay available and give the same values.
public protocol InPlaceLayer: Layer {
    func forward(inPlace tensor: inout Tensor, training: Bool) throws
    func backward(inPlace gradient: inout Tensor) throws
}
