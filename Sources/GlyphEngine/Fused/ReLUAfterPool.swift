/// A ReLU directly followed by a max-pool runs after the pool: `MaxPool2D > ReLU`.
///
/// **Never materializes** the full-size rectified activation, nor a full-size mask: the ReLU
/// then touches (and keeps a one-byte mask for) a quarter of the values, and in a Conv-4 block
/// the batch norm before it can fuse with the pool (`BatchNormMaxPool`).
///
/// **Why it is equal:** max-pooling commutes with any non-decreasing function applied
/// elementwise, so `pool(relu(x)) == relu(pool(x))` value for value. Gradients are equal too
/// wherever the window's maximum is unique (ties at a negative maximum route a zero gradient to
/// another pixel of the window, which changes nothing).
///
/// Both layers run as themselves and keep their own caches; only the order changes.
enum ReLUAfterPool {
    /// The layers with every `ReLU, MaxPool2D` pair swapped.
    static func reorder(_ layers: [any Layer]) -> [any Layer] {
        var order = layers
        var i = 0
        while i + 1 < order.count {
            if order[i] is ReLU && order[i + 1] is MaxPool2D {
                order.swapAt(i, i + 1)
                i += 2
            } else {
                i += 1
            }
        }
        return order
    }
}
