/// The `k` smallest keys offered so far, with their ids: a bounded max-heap, so that a key
/// worse than the current k-th costs one comparison.
struct TopK {
    let k: Int
    private(set) var keys: [Float] = []
    private(set) var ids: [Int] = []

    init(k: Int) {
        self.k = k
        keys.reserveCapacity(k)
        ids.reserveCapacity(k)
    }

    /// The k-th smallest key so far (infinity until k keys were offered).
    var worst: Float { keys.count < k ? .infinity : keys[0] }

    mutating func offer(_ key: Float, id: Int) {
        if keys.count < k {
            keys.append(key)
            ids.append(id)
            var child = keys.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard keys[parent] < keys[child] else { break }
                keys.swapAt(parent, child)
                ids.swapAt(parent, child)
                child = parent
            }
        } else if key < keys[0] {
            keys[0] = key
            ids[0] = id
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var largest = parent
                if left < k, keys[left] > keys[largest] { largest = left }
                if right < k, keys[right] > keys[largest] { largest = right }
                if largest == parent { break }
                keys.swapAt(parent, largest)
                ids.swapAt(parent, largest)
                parent = largest
            }
        }
    }
}
