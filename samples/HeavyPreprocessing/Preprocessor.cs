using System.Runtime.CompilerServices;
using Executors;
using Samples.Shared;

namespace Samples.Preprocessing;

/// <summary>
/// The preprocessing step: tokenize (letters only), lower-case, spell-correct each token that is not
/// in the vocabulary to its nearest vocabulary word (edit distance at most 2), and count. Pure CPU
/// work on one string at a time: the kind of loop the seed means by "text parsing / tokenization",
/// with a GIL checkpoint per token (no-op unless the thread runs under the emulated GIL).
/// </summary>
public static class Preprocessor
{
    private const int MaxDistance = 2;
    private static readonly HashSet<string> s_known = new(Corpus.Vocabulary, StringComparer.Ordinal);

    /// <summary>Looks tokens up as spans: no string is allocated per token.</summary>
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_knownSpans = s_known.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly string[][] s_byLength = GroupByLength();

    // AggressiveOptimization here and below: optimized from the first call, with no tiered JIT, so serial
    // and parallel runs (here and in worker processes) time the same machine code.
    /// <summary>Preprocesses one document.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DocumentFeatures Process(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        int tokens = 0, corrected = 0, unknown = 0;
        uint checksum = 2166136261;
        Span<char> token = stackalloc char[64];
        int length = 0;
        for (int i = 0; i <= document.Length; i++)
        {
            char c = i < document.Length ? document[i] : ' ';
            if (char.IsLetter(c))
            {
                if (length < token.Length)
                {
                    token[length++] = char.ToLowerInvariant(c);
                }

                continue;
            }

            if (length == 0)
            {
                continue;
            }

            // One checkpoint per token: the "interpreter" may switch threads here (the eval breaker).
            Gil.Checkpoint();
            ReadOnlySpan<char> word = token[..length];
            length = 0;
            tokens++;
            if (!s_knownSpans.Contains(word))
            {
                string? nearest = Nearest(word);
                if (nearest is null)
                {
                    unknown++;
                }
                else
                {
                    corrected++;
                    word = nearest;
                }
            }

            checksum = Fnv1a(checksum, word);
        }

        return new DocumentFeatures(tokens, corrected, unknown, unchecked((int)checksum));
    }

    /// <summary>
    /// FNV-1a over the token's characters and a separator: the same in every process (unlike
    /// <see cref="HashCode"/> and <c>string.GetHashCode</c>, which are seeded per process).
    /// </summary>
    private static uint Fnv1a(uint hash, ReadOnlySpan<char> word)
    {
        foreach (char c in word)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (hash ^ ' ') * 16777619;
    }

    /// <summary>The vocabulary word nearest to <paramref name="word"/> by edit distance, if one is within <see cref="MaxDistance"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? Nearest(ReadOnlySpan<char> word)
    {
        string? best = null;
        int bestDistance = MaxDistance + 1;
        int from = Math.Max(0, word.Length - MaxDistance);
        int to = Math.Min(s_byLength.Length - 1, word.Length + MaxDistance);
        for (int length = from; length <= to; length++)
        {
            foreach (string candidate in s_byLength[length])
            {
                int distance = EditDistance(word, candidate, bestDistance);
                if (distance < bestDistance)
                {
                    (best, bestDistance) = (candidate, distance);
                }
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance with two rows; gives up (returns <paramref name="limit"/>) once every cell of a row exceeds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EditDistance(ReadOnlySpan<char> a, string b, int limit)
    {
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }

            if (rowMin >= limit)
            {
                return limit;
            }

            Span<int> swap = previous;
            previous = current;
            current = swap;
        }

        return previous[b.Length];
    }

    private static string[][] GroupByLength()
    {
        int longest = Corpus.Vocabulary.Max(w => w.Length);
        return Enumerable.Range(0, longest + 1)
            .Select(length => Corpus.Vocabulary.Where(w => w.Length == length).ToArray())
            .ToArray();
    }
}
