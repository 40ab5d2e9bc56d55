namespace Samples.Preprocessing;

/// <summary>What preprocessing one document produces (small, so it travels back from a worker process cheaply).</summary>
/// <param name="Tokens">Tokens after normalization.</param>
/// <param name="Corrected">Tokens that were not in the vocabulary and were spell-corrected to a word that is.</param>
/// <param name="Unknown">Tokens too far from every vocabulary word to correct.</param>
/// <param name="Checksum">An order-sensitive hash (FNV-1a) of the normalized tokens, to check that every executor computed the same thing.</param>
public sealed record DocumentFeatures(int Tokens, int Corrected, int Unknown, int Checksum);
