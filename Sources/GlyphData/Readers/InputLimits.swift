/// The data floor's limits on input that comes from outside (archives, arrays, run layouts),
/// in one place. Every reader checks a claim against these and against the bytes actually
/// present *before* it allocates for the claim, so a small crafted file cannot ask for
/// gigabytes. The values are far above anything real Omniglot data needs (docs/hardening.md).
public enum InputLimits {
    /// Largest member a zip archive may inflate to. Omniglot's largest npz member
    /// (`images_background.npy`, 19,280 x 105 x 105 bools) is 213 MB; 2 GB leaves room for
    /// a user's own data sets and still refuses a directory that claims tens of gigabytes.
    public static let maxZipMemberBytes = 2 << 30

    /// Largest ratio of a member's claimed inflated size to its compressed size. Deflate
    /// cannot expand beyond about 1032:1; a larger claim is a lying directory. Omniglot's
    /// bool arrays compress about 30:1.
    public static let maxZipCompressionRatio = 1040

    /// Most members one archive may list. all_runs.zip has about 900, the image zips about
    /// 33,000; a directory of millions of entries is refused before it is walked.
    public static let maxZipEntries = 1 << 20

    /// Longest member path, in bytes. Longer ones are not from any tool that writes zips.
    public static let maxZipPathBytes = 1024

    /// Largest number of dimensions of a `.npy` array (Omniglot's have at most 4).
    public static let maxNPYDimensions = 8
}
