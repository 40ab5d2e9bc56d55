using System.Text;

namespace Samples.Shared;

/// <summary>
/// A generated corpus: the same documents for the same seed, on every machine. Words come from a
/// fixed vocabulary of pronounceable pseudo-words; about one word in twelve carries a typo (a letter
/// dropped, doubled, swapped or replaced), and sentences carry capitals and punctuation, so that the
/// preprocessing has real work: tokenize, normalize, spell-correct, count.
/// </summary>
public static class Corpus
{
    private const int VocabularySize = 1_500;
    private static readonly string[] s_syllables =
    [
        "ka", "lo", "mi", "ne", "tor", "sa", "ven", "qui", "dra", "pel", "ust", "ri", "bo", "cen", "fal",
        "gu", "hem", "is", "jo", "lum", "mar", "nox", "ob", "pra", "res", "sol", "ta", "um", "vi", "zen",
    ];

    /// <summary>Gets the vocabulary every document is written from (built once per process, from a fixed seed).</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = BuildVocabulary();

    /// <summary>Generated documents as UTF-8 text, cut into <paramref name="blocks"/> blocks of <paramref name="blockBytes"/> bytes: data for compression and hashing.</summary>
    public static byte[][] TextBlocks(int blocks, int blockBytes, int seed)
    {
        var text = new List<byte>(blocks * blockBytes);
        int next = 0;
        while (text.Count < blocks * blockBytes)
        {
            foreach (string document in Generate(1_000, seed + next++))
            {
                text.AddRange(System.Text.Encoding.UTF8.GetBytes(document));
                text.Add((byte)'\n');
            }
        }

        return Enumerable.Range(0, blocks).Select(b => text.GetRange(b * blockBytes, blockBytes).ToArray()).ToArray();
    }

    /// <summary>Generates <paramref name="count"/> documents of 20 to 60 words from <paramref name="seed"/>.</summary>
    public static string[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        var documents = new string[count];
        var text = new StringBuilder();
        for (int d = 0; d < count; d++)
        {
            text.Clear();
            int words = random.Next(20, 61);
            bool sentenceStart = true;
            for (int w = 0; w < words; w++)
            {
                string word = Vocabulary[Zipf(random)];
                if (random.Next(12) == 0)
                {
                    word = Typo(word, random);
                }

                if (sentenceStart)
                {
                    word = char.ToUpperInvariant(word[0]) + word[1..];
                }

                text.Append(word);
                sentenceStart = random.Next(10) == 0;
                text.Append(sentenceStart ? ". " : random.Next(8) == 0 ? ", " : " ");
            }

            documents[d] = text.ToString();
        }

        return documents;
    }

    private static string[] BuildVocabulary()
    {
        var random = new Random(2024);
        // A list in generation order, not a HashSet's order: string hashes are randomized per process,
        // and every worker process must see the same vocabulary in the same order.
        var words = new List<string>(VocabularySize);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < VocabularySize)
        {
            int parts = random.Next(2, 5);
            var word = new StringBuilder();
            for (int i = 0; i < parts; i++)
            {
                word.Append(s_syllables[random.Next(s_syllables.Length)]);
            }

            if (seen.Add(word.ToString()))
            {
                words.Add(word.ToString());
            }
        }

        return [.. words];
    }

    /// <summary>Frequent words are frequent: an index with a roughly Zipfian distribution.</summary>
    private static int Zipf(Random random) => (int)Math.Min(VocabularySize - 1, Math.Pow(VocabularySize, random.NextDouble()) - 1);

    private static string Typo(string word, Random random)
    {
        int at = random.Next(word.Length);
        return random.Next(4) switch
        {
            0 when word.Length > 3 => word.Remove(at, 1),
            1 => word.Insert(at, word[at].ToString()),
            2 when at < word.Length - 1 => string.Concat(word.AsSpan(0, at), word.AsSpan(at + 1, 1), word.AsSpan(at, 1), word.AsSpan(at + 2)),
            _ => string.Concat(word.AsSpan(0, at), ((char)('a' + random.Next(26))).ToString(), word.AsSpan(at + 1)),
        };
    }
}
