namespace Executors.Tests.Docs;

/// <summary>
/// The C# snippets of the docs that promise it are verbatim excerpts of files under <c>samples/</c>,
/// which <c>dotnet build Executors.sln</c> compiles: a snippet that drifts from the code fails here.
/// </summary>
public sealed class DocsSnippetsTests
{
    /// <summary>Gets the documents whose every C# snippet must be an excerpt of a sample.</summary>
    public static TheoryData<string> Documents => new() { "docs/concepts.md" };

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryCSharpSnippet_IsAnExcerptOfASampleFile(string document)
    {
        string root = RepositoryRoot();
        List<string[]> sampleFiles = Directory
            .EnumerateFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(path))
            .Select(path => Normalize(File.ReadAllLines(path)))
            .ToList();

        List<string[]> snippets = CSharpSnippets(File.ReadAllLines(Path.Combine(root, document)));

        Assert.NotEmpty(snippets);
        foreach (string[] snippet in snippets)
        {
            Assert.True(
                sampleFiles.Any(file => ContainsRun(file, snippet)),
                $"{document}: the snippet starting \"{snippet[0]}\" is not an excerpt of any file under samples/.");
        }
    }

    [Fact]
    public void ContainsRun_FindsConsecutiveLinesOnly()
    {
        string[] file = Normalize(["a();", "  b();", "", "c();"]);

        Assert.True(ContainsRun(file, Normalize(["b();", "", "c();"])));
        Assert.False(ContainsRun(file, Normalize(["a();", "c();"])));
    }

    /// <summary>The ```csharp blocks of a Markdown file, each as normalized lines.</summary>
    private static List<string[]> CSharpSnippets(string[] markdown)
    {
        var snippets = new List<string[]>();
        List<string>? current = null;
        foreach (string line in markdown)
        {
            string trimmed = line.Trim();
            if (current is null && trimmed == "```csharp")
            {
                current = [];
            }
            else if (current is not null && trimmed == "```")
            {
                snippets.Add(Normalize([.. current]));
                current = null;
            }
            else
            {
                current?.Add(line);
            }
        }

        return snippets;
    }

    /// <summary>Indentation does not matter (a snippet is dedented), line order and content do.</summary>
    private static string[] Normalize(string[] lines) => lines.Select(l => l.Trim()).ToArray();

    private static bool ContainsRun(string[] file, string[] run)
    {
        for (int start = 0; start + run.Length <= file.Length; start++)
        {
            if (file.AsSpan(start, run.Length).SequenceEqual(run))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBuildOutput(string path)
    {
        string[] parts = path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Contains("bin") || parts.Contains("obj");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Executors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Executors.sln above {AppContext.BaseDirectory}.");
    }
}
