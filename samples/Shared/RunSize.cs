namespace Samples.Shared;

/// <summary>How long a seed sample runs: briefly inside the tour, or in full on its own.</summary>
public enum RunSize
{
    /// <summary>A few seconds: enough for the shape of the result (used by <c>samples/SeedTour</c>).</summary>
    Tour,

    /// <summary>The sample run on its own: more work, steadier figures.</summary>
    Full,
}
